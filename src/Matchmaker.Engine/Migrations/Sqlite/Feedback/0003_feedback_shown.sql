-- Whether the candidate had been shown to the organization when the feedback was given (1 or 0). Feedback from
-- before the column existed cannot be told apart: it counts as shown, as it did.
ALTER TABLE feedback ADD COLUMN shown INTEGER NOT NULL DEFAULT 1;
-- The latest entry per pair carries it too (filled from the log's rows, which all count as shown so far).
ALTER TABLE feedback_latest ADD COLUMN shown INTEGER NOT NULL DEFAULT 1;
