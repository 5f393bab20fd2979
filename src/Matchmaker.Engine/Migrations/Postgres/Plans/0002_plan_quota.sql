-- The quota counts a key's plans; the retention deletes plans by age.
CREATE INDEX IF NOT EXISTS consortium_plans_by_key ON consortium_plans (key_id, created_at);
CREATE INDEX IF NOT EXISTS consortium_plans_by_time ON consortium_plans (created_at);
