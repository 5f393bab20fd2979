-- The latest feedback per (organization, candidate) pair, written with each log entry, so that reads of the state
-- (lists, widget, pairs, digests, training) cost the number of pairs, not the length of the log. "Latest" is the
-- highest sequence, as the log was folded before: a later entry wins even when its time is earlier or equal.
CREATE TABLE IF NOT EXISTS feedback_latest (
    organization_id text NOT NULL, candidate_id text NOT NULL, seq bigint NOT NULL,
    action text NOT NULL, reason text, comment text, given_by text NOT NULL, at timestamptz NOT NULL,
    PRIMARY KEY (organization_id, candidate_id));
CREATE INDEX IF NOT EXISTS feedback_latest_by_candidate ON feedback_latest (candidate_id, seq);
CREATE INDEX IF NOT EXISTS feedback_latest_by_seq ON feedback_latest (seq);
INSERT INTO feedback_latest (organization_id, candidate_id, seq, action, reason, comment, given_by, at)
SELECT DISTINCT ON (organization_id, candidate_id) organization_id, candidate_id, seq, action, reason, comment, given_by, at
FROM feedback ORDER BY organization_id, candidate_id, seq DESC;
