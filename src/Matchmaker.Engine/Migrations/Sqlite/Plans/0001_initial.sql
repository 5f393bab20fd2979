-- Today's schema as the stores created it before versioned migrations; IF NOT EXISTS lets a database made then adopt it.
CREATE TABLE IF NOT EXISTS consortium_plans (
    id TEXT PRIMARY KEY, key_id TEXT NOT NULL, lead_id TEXT NOT NULL, created_at TEXT NOT NULL, plan TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS consortium_plans_by_lead ON consortium_plans (lead_id, created_at);
