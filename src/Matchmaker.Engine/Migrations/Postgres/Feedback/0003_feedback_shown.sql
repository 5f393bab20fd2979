-- Whether the candidate had been shown to the organization when the feedback was given. Feedback from before the
-- column existed cannot be told apart: it counts as shown, as it did.
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS shown boolean NOT NULL DEFAULT true;
