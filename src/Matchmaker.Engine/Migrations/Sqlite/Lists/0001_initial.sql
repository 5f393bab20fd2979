-- Today's schema as the stores created it before versioned migrations; IF NOT EXISTS lets a database made then adopt it.
CREATE TABLE IF NOT EXISTS rec_runs (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, model_version TEXT NOT NULL,
    started_at TEXT NOT NULL, finished_at TEXT, shards_total INTEGER NOT NULL, error TEXT);
CREATE TABLE IF NOT EXISTS rec_shards (
    run_id TEXT NOT NULL, shard INTEGER NOT NULL, organizations INTEGER NOT NULL, pairs INTEGER NOT NULL, seconds REAL NOT NULL,
    PRIMARY KEY (run_id, shard)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rec_lists (
    run_id TEXT NOT NULL, org_id TEXT NOT NULL, shard INTEGER NOT NULL, computed_at TEXT NOT NULL,
    model_version TEXT NOT NULL, items TEXT NOT NULL,
    PRIMARY KEY (run_id, org_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rec_serving (org_id TEXT PRIMARY KEY, run_id TEXT NOT NULL) WITHOUT ROWID;
