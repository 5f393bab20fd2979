-- Today's schema as the stores created it before versioned migrations; IF NOT EXISTS lets a database made then adopt it.
CREATE TABLE IF NOT EXISTS delivery_subscriptions (
    id TEXT PRIMARY KEY, organization_id TEXT NOT NULL, channel TEXT NOT NULL, target TEXT NOT NULL, filters TEXT NOT NULL,
    language TEXT NOT NULL, status TEXT NOT NULL, status_reason TEXT, secret TEXT, consecutive_failures INTEGER NOT NULL,
    last_error TEXT, last_error_at TEXT, last_delivered_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS delivery_subscriptions_by_organization ON delivery_subscriptions (organization_id);
CREATE TABLE IF NOT EXISTS delivery_digests (
    id TEXT PRIMARY KEY, subscription_id TEXT NOT NULL, week TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (subscription_id, week));
CREATE TABLE IF NOT EXISTS delivery_shown (
    subscription_id TEXT NOT NULL, candidate_id TEXT NOT NULL, week TEXT NOT NULL, score REAL NOT NULL, mutual INTEGER NOT NULL,
    model_version TEXT NOT NULL, PRIMARY KEY (subscription_id, candidate_id));
CREATE TABLE IF NOT EXISTS delivery_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, subscription_id TEXT NOT NULL, kind TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE, content TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, retry_base INTEGER NOT NULL, last_error TEXT,
    permanent INTEGER NOT NULL, created_at TEXT NOT NULL, next_attempt_at TEXT NOT NULL, lease_until TEXT, sent_at TEXT);
CREATE INDEX IF NOT EXISTS delivery_messages_by_subscription ON delivery_messages (subscription_id, seq);
CREATE INDEX IF NOT EXISTS delivery_messages_due ON delivery_messages (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS delivery_attempts (
    message_id TEXT NOT NULL, attempt INTEGER NOT NULL, at TEXT NOT NULL, outcome TEXT NOT NULL, status_code INTEGER,
    error TEXT, duration_ms INTEGER NOT NULL, PRIMARY KEY (message_id, attempt));
