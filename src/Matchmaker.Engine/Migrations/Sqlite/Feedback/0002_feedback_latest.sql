-- The latest feedback per (organization, candidate) pair, written with each log entry, so that reads of the state
-- (lists, widget, pairs, digests, training) cost the number of pairs, not the length of the log. "Latest" is the
-- highest sequence, as the log was folded before: a later entry wins even when its time is earlier or equal.
CREATE TABLE IF NOT EXISTS feedback_latest (
    organization_id TEXT NOT NULL, candidate_id TEXT NOT NULL, seq INTEGER NOT NULL,
    action TEXT NOT NULL, reason TEXT, comment TEXT, given_by TEXT NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (organization_id, candidate_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS feedback_latest_by_candidate ON feedback_latest (candidate_id, seq);
CREATE INDEX IF NOT EXISTS feedback_latest_by_seq ON feedback_latest (seq);
INSERT INTO feedback_latest (organization_id, candidate_id, seq, action, reason, comment, given_by, at)
SELECT organization_id, candidate_id, seq, action, reason, comment, given_by, at FROM feedback
WHERE seq IN (SELECT MAX(seq) FROM feedback GROUP BY organization_id, candidate_id);
