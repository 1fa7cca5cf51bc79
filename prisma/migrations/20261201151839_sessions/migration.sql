-- AlterTable
ALTER TABLE "User" ADD COLUMN     "deactivatedAt" TIMESTAMP(3);

-- Refresh tokens issued before sessions existed belong to none: their holders sign in again.
DELETE FROM "RefreshToken";

-- AlterTable
ALTER TABLE "RefreshToken" DROP COLUMN "revokedAt",
ADD COLUMN     "sessionId" TEXT NOT NULL,
ADD COLUMN     "usedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),
    "endReason" TEXT,
    "userAgent" TEXT,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- CreateIndex
CREATE INDEX "RefreshToken_sessionId_idx" ON "RefreshToken"("sessionId");

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RefreshToken" ADD CONSTRAINT "RefreshToken_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Each node caches session checks for a short while and holds the sockets of each session. These
-- triggers tell every node, when the change commits (never for one rolled back), that a session
-- ended or went away, or that a user's role or activation changed, however it happened: through
-- the app, by the cascade of deleting a user, or by an operator's SQL. See SessionChanges.
CREATE FUNCTION "notify_session_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('session_changed', OLD."id");
    RETURN NULL;
END
$$;

CREATE TRIGGER "Session_changed" AFTER UPDATE OF "endedAt" OR DELETE ON "Session"
    FOR EACH ROW EXECUTE FUNCTION "notify_session_changed"();

CREATE FUNCTION "notify_user_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('user_changed', OLD."id");
    RETURN NULL;
END
$$;

CREATE TRIGGER "User_changed" AFTER UPDATE OF "role", "deactivatedAt" ON "User"
    FOR EACH ROW WHEN (OLD."role" IS DISTINCT FROM NEW."role" OR OLD."deactivatedAt" IS DISTINCT FROM NEW."deactivatedAt")
    EXECUTE FUNCTION "notify_user_changed"();
