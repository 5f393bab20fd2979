-- Today's schema as the stores created it before versioned migrations; IF NOT EXISTS lets a database made then adopt it.
CREATE TABLE IF NOT EXISTS rec_runs (
    id text PRIMARY KEY, kind text NOT NULL, status text NOT NULL, model_version text NOT NULL,
    started_at timestamptz NOT NULL, finished_at timestamptz, shards_total integer NOT NULL, error text);
CREATE TABLE IF NOT EXISTS rec_shards (
    run_id text NOT NULL, shard integer NOT NULL, organizations integer NOT NULL, pairs bigint NOT NULL, seconds double precision NOT NULL,
    PRIMARY KEY (run_id, shard));
CREATE TABLE IF NOT EXISTS rec_lists (
    run_id text NOT NULL, org_id text NOT NULL, shard integer NOT NULL, computed_at timestamptz NOT NULL,
    model_version text NOT NULL, items jsonb NOT NULL,
    PRIMARY KEY (run_id, org_id));
CREATE TABLE IF NOT EXISTS rec_serving (org_id text PRIMARY KEY, run_id text NOT NULL);
CREATE TABLE IF NOT EXISTS rec_changes (org_id text PRIMARY KEY, changed_at timestamptz NOT NULL, structural boolean NOT NULL);
CREATE TABLE IF NOT EXISTS rec_flags (name text PRIMARY KEY, value integer NOT NULL);
INSERT INTO rec_flags (name, value) VALUES ('recompute-scheduled', 0) ON CONFLICT DO NOTHING;
