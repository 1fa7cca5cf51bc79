-- Each user's language (contracts/language.ts): the notifications the server writes for them and
-- the mail it sends them follow it. Expand only: the column has a default, and the function below
-- is a new overload, so a node of the previous release keeps calling the one it knows while both
-- run; a later migration drops that one.

ALTER TABLE "User" ADD COLUMN "language" TEXT NOT NULL DEFAULT 'en';

-- What the application validates, the database guarantees too.
ALTER TABLE "User" ADD CONSTRAINT "User_language_check" CHECK ("language" IN ('en', 'es'));

-- create_notifications with the content's words in several languages: "languages" names them, and
-- "titles", "messages" and "actionTexts" hold each one's text at the same position. Every recipient
-- gets the version in their own language, read from the User row the statement joins anyway, or
-- the first when there is none in theirs. One statement for all languages: the recipients are
-- locked once, in key order, as before (two calls, one per language, could deadlock against each
-- other's locks). Otherwise as in the triage migration, result included.
CREATE FUNCTION "create_notifications"(
    "recipients" TEXT[],
    "notificationType" "NotificationType",
    "languages" TEXT[],
    "titles" TEXT[],
    "messages" TEXT[],
    "notificationPriority" "NotificationPriority",
    "notificationActionUrl" TEXT,
    "actionTexts" TEXT[],
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
               coalesce(array_position("languages", u."language"), 1) AS variant,
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
        SELECT gen_random_uuid()::text, recipient.uid, "notificationType", "titles"[recipient.variant], "messages"[recipient.variant],
               "notificationPriority", "notificationActionUrl", "actionTexts"[recipient.variant], "notificationMetadata",
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
