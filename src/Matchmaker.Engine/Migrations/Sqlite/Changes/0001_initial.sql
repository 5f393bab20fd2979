-- Today's schema as the stores created it before versioned migrations; IF NOT EXISTS lets a database made then adopt it.
CREATE TABLE IF NOT EXISTS rec_changes (org_id TEXT PRIMARY KEY, changed_at TEXT NOT NULL, structural INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rec_flags (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO rec_flags (name, value) VALUES ('recompute-scheduled', 0);
