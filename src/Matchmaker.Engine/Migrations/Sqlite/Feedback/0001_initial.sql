-- Today's schema as the stores created it before versioned migrations; IF NOT EXISTS lets a database made then adopt it.
CREATE TABLE IF NOT EXISTS feedback (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, organization_id TEXT NOT NULL, candidate_id TEXT NOT NULL,
    action TEXT NOT NULL, reason TEXT, comment TEXT, given_by TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS feedback_by_organization ON feedback (organization_id, candidate_id, seq);
CREATE INDEX IF NOT EXISTS feedback_by_candidate ON feedback (candidate_id, seq);
