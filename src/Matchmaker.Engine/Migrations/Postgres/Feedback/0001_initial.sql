-- Today's schema as the stores created it before versioned migrations; IF NOT EXISTS lets a database made then adopt it.
CREATE TABLE IF NOT EXISTS feedback (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, organization_id text NOT NULL, candidate_id text NOT NULL,
    action text NOT NULL, reason text, comment text, given_by text NOT NULL, at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS feedback_by_organization ON feedback (organization_id, candidate_id, seq);
CREATE INDEX IF NOT EXISTS feedback_by_candidate ON feedback (candidate_id, seq);
