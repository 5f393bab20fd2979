-- Today's schema as the stores created it before versioned migrations; IF NOT EXISTS lets a database made then adopt it.
CREATE TABLE IF NOT EXISTS delivery_subscriptions (
    id text PRIMARY KEY, organization_id text NOT NULL, channel text NOT NULL, target text NOT NULL, filters text NOT NULL,
    language text NOT NULL, status text NOT NULL, status_reason text, secret text, consecutive_failures integer NOT NULL,
    last_error text, last_error_at timestamptz, last_delivered_at timestamptz, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS delivery_subscriptions_by_organization ON delivery_subscriptions (organization_id);
CREATE TABLE IF NOT EXISTS delivery_digests (
    id text PRIMARY KEY, subscription_id text NOT NULL, week text NOT NULL, body text NOT NULL, UNIQUE (subscription_id, week));
CREATE TABLE IF NOT EXISTS delivery_shown (
    subscription_id text NOT NULL, candidate_id text NOT NULL, week text NOT NULL, score double precision NOT NULL, mutual integer NOT NULL,
    model_version text NOT NULL, PRIMARY KEY (subscription_id, candidate_id));
CREATE TABLE IF NOT EXISTS delivery_messages (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id text NOT NULL UNIQUE, subscription_id text NOT NULL, kind text NOT NULL,
    key text NOT NULL UNIQUE, content text NOT NULL, status text NOT NULL, attempts integer NOT NULL, retry_base integer NOT NULL, last_error text,
    permanent integer NOT NULL, created_at timestamptz NOT NULL, next_attempt_at timestamptz NOT NULL, lease_until timestamptz, sent_at timestamptz);
CREATE INDEX IF NOT EXISTS delivery_messages_by_subscription ON delivery_messages (subscription_id, seq);
CREATE INDEX IF NOT EXISTS delivery_messages_due ON delivery_messages (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS delivery_attempts (
    message_id text NOT NULL, attempt integer NOT NULL, at timestamptz NOT NULL, outcome text NOT NULL, status_code integer,
    error text, duration_ms bigint NOT NULL, PRIMARY KEY (message_id, attempt));
