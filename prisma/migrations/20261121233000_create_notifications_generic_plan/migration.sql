-- create_notifications keeps one generic plan per connection instead of planning every call:
-- planning was about half of the function's cost (pgbench, 8 clients, one recipient per call:
-- 1,400 calls/s planned every time, 2,500/s with the cached plan).
--
-- Why it planned every call: a generic plan cached while "Notification" was small (a new
-- deployment, no statistics yet) scanned the whole table for every recipient's previous seq and
-- unread count, and kept doing so as the table grew. Every statement of the function is a
-- lookup by recipient through an index (the primary key of "User" and "NotificationPreference",
-- "Notification"'s (userId, seq) index and its unread partial index), the right plan whatever
-- the table sizes, so the function now forbids sequential scans and keeps the plan it makes.
ALTER FUNCTION "create_notifications"(TEXT[], "NotificationType", TEXT, TEXT, "NotificationPriority", TEXT, TEXT, JSONB, TIMESTAMP(3))
    SET plan_cache_mode = 'force_generic_plan'
    SET enable_seqscan = off;
