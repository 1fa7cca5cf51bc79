-- Inbox triage (contracts/triage.ts): archive, snooze, and a version counting every change of a
-- notification's state, so a client keeps the newer of two copies. Expand only: the columns are
-- nullable or have a default, so the previous release keeps writing and reading while both run.

ALTER TABLE "Notification" ADD COLUMN     "archivedAt" TIMESTAMP(3),
ADD COLUMN     "snoozedUntil" TIMESTAMP(3),
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 0;

-- Archiving ends a snooze and snoozing takes it out of the archive: one view at a time.
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_one_view_check" CHECK ("archivedAt" IS NULL OR "snoozedUntil" IS NULL);

-- The unread count is now "unread and in the inbox": from this index alone. It replaces the index
-- on unread rows, whose predicate the new count no longer matches.
CREATE INDEX "Notification_user_unread_inbox_idx" ON "Notification"("userId", "snoozedUntil") WHERE ("readAt" IS NULL AND "archivedAt" IS NULL);
DROP INDEX "Notification_user_unread_idx";

-- create_notifications counts the new way; the rest is as in the alerts migration. Its result
-- keeps its columns (a new row is never archived or snoozed, and its version is 0): a node of the
-- previous release holds it in a prepared statement, which PostgreSQL refuses to run once the
-- result's shape changes ("cached plan must not change result type").
CREATE OR REPLACE FUNCTION "create_notifications"(
    "recipients" TEXT[],
    "notificationType" "NotificationType",
    "notificationTitle" TEXT,
    "notificationMessage" TEXT,
    "notificationPriority" "NotificationPriority",
    "notificationActionUrl" TEXT,
    "notificationActionText" TEXT,
    "notificationMetadata" JSONB,
    "notificationCreatedAt" TIMESTAMP(3),
    "notificationSendId" TEXT,
    "notificationRequireAck" BOOLEAN
) RETURNS TABLE (
    "id" TEXT,
    "seq" BIGINT,
    "userId" TEXT,
    "type" "NotificationType",
    "title" TEXT,
    "message" TEXT,
    "priority" "NotificationPriority",
    "actionUrl" TEXT,
    "actionText" TEXT,
    "metadata" JSONB,
    "sendId" TEXT,
    "requireAck" BOOLEAN,
    "deliveredAt" TIMESTAMP(3),
    "seenAt" TIMESTAMP(3),
    "readAt" TIMESTAMP(3),
    "acknowledgedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3),
    "prevSeq" BIGINT,
    "unreadCount" INTEGER,
    "typeMuted" BOOLEAN
) LANGUAGE plpgsql VOLATILE SET plan_cache_mode = 'force_generic_plan' SET enable_seqscan = off AS $$
#variable_conflict use_column
BEGIN
    IF cardinality("recipients") > 32 THEN
        PERFORM pg_advisory_xact_lock(4721902118);
    ELSE
        PERFORM pg_advisory_xact_lock_shared(4721902118);
        -- OFFSET 0 keeps the sort inside the subquery, so the locks are taken in key order.
        PERFORM pg_advisory_xact_lock(472190, keys.key)
        FROM (SELECT DISTINCT hashtext(r) AS key FROM unnest("recipients") AS r ORDER BY key OFFSET 0) AS keys;
    END IF;

    RETURN QUERY
    WITH recipient AS (
        SELECT r.uid, r.position,
               coalesce((SELECT max(n."seq") FROM "Notification" n WHERE n."userId" = r.uid), 0) AS prev_seq,
               -- Unread in the inbox (contracts/triage.ts, countsAsUnread), counted before this
               -- statement's own row, which is: + 1.
               (SELECT count(*) FROM "Notification" n
                WHERE n."userId" = r.uid AND n."readAt" IS NULL AND n."archivedAt" IS NULL
                  AND (n."snoozedUntil" IS NULL OR n."snoozedUntil" <= (now() AT TIME ZONE 'UTC')))::int + 1 AS unread,
               EXISTS (SELECT 1 FROM "NotificationPreference" p
                       WHERE p."userId" = r.uid AND p."type" = "notificationType" AND p."muted") AS muted
        FROM unnest("recipients") WITH ORDINALITY AS r(uid, position)
        JOIN "User" u ON u."id" = r.uid
    ), inserted AS (
        INSERT INTO "Notification" ("id", "userId", "type", "title", "message", "priority", "actionUrl", "actionText", "metadata",
                                    "sendId", "requireAck", "createdAt")
        SELECT gen_random_uuid()::text, recipient.uid, "notificationType", "notificationTitle", "notificationMessage",
               "notificationPriority", "notificationActionUrl", "notificationActionText", "notificationMetadata",
               "notificationSendId", "notificationRequireAck", "notificationCreatedAt"
        FROM recipient
        ORDER BY recipient.position
        RETURNING *
    )
    SELECT i."id", i."seq", i."userId", i."type", i."title", i."message", i."priority", i."actionUrl", i."actionText",
           i."metadata", i."sendId", i."requireAck", i."deliveredAt", i."seenAt", i."readAt", i."acknowledgedAt",
           i."createdAt", recipient.prev_seq, recipient.unread, recipient.muted
    FROM inserted i JOIN recipient ON recipient.uid = i."userId";
END
$$;
