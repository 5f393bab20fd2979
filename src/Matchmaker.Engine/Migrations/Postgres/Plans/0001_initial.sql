-- Today's schema as the stores created it before versioned migrations; IF NOT EXISTS lets a database made then adopt it.
CREATE TABLE IF NOT EXISTS consortium_plans (
    id text PRIMARY KEY, key_id text NOT NULL, lead_id text NOT NULL, created_at timestamptz NOT NULL, plan jsonb NOT NULL);
CREATE INDEX IF NOT EXISTS consortium_plans_by_lead ON consortium_plans (lead_id, created_at DESC);
