-- A change recorded before its graph write (pending > 0) is held back from the recompute until the write ends or
-- until due_ms (Unix milliseconds) passes: see IRecommendationStore.BeginChangeAsync.
ALTER TABLE rec_changes ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rec_changes ADD COLUMN due_ms INTEGER NOT NULL DEFAULT 0;
