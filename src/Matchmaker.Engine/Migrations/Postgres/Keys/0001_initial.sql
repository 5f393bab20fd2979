-- Today's schema as the stores created it before versioned migrations; IF NOT EXISTS lets a database made then adopt it.
CREATE TABLE IF NOT EXISTS api_keys (
    id text PRIMARY KEY, name text NOT NULL, scopes text NOT NULL, organization_id text,
    secret_hash bytea NOT NULL, created_at timestamptz NOT NULL, revoked_at timestamptz, allowed_origins text[] NOT NULL);
