-- Today's schema as the stores created it before versioned migrations; IF NOT EXISTS lets a database made then adopt it.
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, scopes TEXT NOT NULL, organization_id TEXT,
    secret_hash BLOB NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT, allowed_origins TEXT NOT NULL) WITHOUT ROWID;
