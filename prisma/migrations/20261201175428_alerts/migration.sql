-- CreateEnum
CREATE TYPE "SendStatus" AS ENUM ('SCHEDULED', 'SENT', 'CANCELLED');

-- AlterEnum
ALTER TYPE "NotificationType" ADD VALUE 'ESCALATION';

-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "acknowledgedAt" TIMESTAMP(3),
ADD COLUMN     "deliveredAt" TIMESTAMP(3),
ADD COLUMN     "requireAck" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "seenAt" TIMESTAMP(3),
ADD COLUMN     "sendId" TEXT;

-- CreateTable
CREATE TABLE "Send" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "senderId" TEXT,
    "type" "NotificationType" NOT NULL,
    "priority" "NotificationPriority" NOT NULL,
    "title" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "actionUrl" TEXT,
    "actionText" TEXT,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "targetKind" TEXT NOT NULL,
    "targetId" TEXT,
    "requireAck" BOOLEAN NOT NULL DEFAULT false,
    "recipients" INTEGER NOT NULL DEFAULT 0,
    "status" "SendStatus" NOT NULL DEFAULT 'SENT',
    "sendAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "acknowledgedAt" TIMESTAMP(3),
    "escalateAfterSeconds" INTEGER,
    "escalateToKind" TEXT,
    "escalateToId" TEXT,
    "escalationStepsDone" INTEGER NOT NULL DEFAULT 0,
    "escalationOf" TEXT,
    "escalationStep" INTEGER,

    CONSTRAINT "Send_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Send_seq_key" ON "Send"("seq");

-- CreateIndex
CREATE INDEX "Send_status_seq_idx" ON "Send"("status", "seq");

-- CreateIndex
CREATE INDEX "Send_escalationOf_idx" ON "Send"("escalationOf") WHERE ("escalationOf" IS NOT NULL);

-- CreateIndex
CREATE INDEX "Notification_sendId_idx" ON "Notification"("sendId");

-- create_notifications also writes each notification's send and whether it must be acknowledged
-- (see the create_notifications_function migration for the locks and why one function), and
-- returns the receipt columns. Same plan settings as before (create_notifications_generic_plan).
DROP FUNCTION "create_notifications"(TEXT[], "NotificationType", TEXT, TEXT, "NotificationPriority", TEXT, TEXT, JSONB, TIMESTAMP(3));

CREATE FUNCTION "create_notifications"(
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
               -- Counted before this statement's own row, which is unread: + 1.
               (SELECT count(*) FROM "Notification" n WHERE n."userId" = r.uid AND n."readAt" IS NULL)::int + 1 AS unread,
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
