-- The version a subscription's list and unsubscribe links are signed with; revoking its links raises it. Links sent
-- before versions carry none and read as version 0, so they keep working until they expire or are revoked.
ALTER TABLE delivery_subscriptions ADD COLUMN link_version integer NOT NULL DEFAULT 0;
