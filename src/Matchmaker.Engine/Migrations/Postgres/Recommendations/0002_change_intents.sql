-- A change recorded before its graph write (pending > 0) is held back from the recompute until the write ends or
-- until due_ms (Unix milliseconds) passes: see IRecommendationStore.BeginChangeAsync.
ALTER TABLE rec_changes ADD COLUMN IF NOT EXISTS pending integer NOT NULL DEFAULT 0;
ALTER TABLE rec_changes ADD COLUMN IF NOT EXISTS due_ms bigint NOT NULL DEFAULT 0;
