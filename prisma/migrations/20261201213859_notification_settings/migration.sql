-- AlterTable
ALTER TABLE "User" ADD COLUMN     "digestMinute" INTEGER,
ADD COLUMN     "hideDetails" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "quietEnd" INTEGER,
ADD COLUMN     "quietStart" INTEGER,
ADD COLUMN     "timeZone" TEXT NOT NULL DEFAULT 'UTC';

-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "digestDay" TEXT,
ALTER COLUMN "notificationId" DROP NOT NULL;

-- AlterTable
ALTER TABLE "NotificationPreference" ADD COLUMN     "desktop" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "email" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "sms" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "sound" BOOLEAN NOT NULL DEFAULT true,
ALTER COLUMN "muted" SET DEFAULT false;

-- CreateIndex
CREATE UNIQUE INDEX "Delivery_userId_digestDay_key" ON "Delivery"("userId", "digestDay");

-- Hand-written: what the application validates, the database guarantees too.
ALTER TABLE "User" ADD CONSTRAINT "User_quiet_hours_check" CHECK (
  ("quietStart" IS NULL) = ("quietEnd" IS NULL)
  AND ("quietStart" IS NULL OR "quietStart" BETWEEN 0 AND 1439)
  AND ("quietEnd" IS NULL OR "quietEnd" BETWEEN 0 AND 1439)
);
ALTER TABLE "User" ADD CONSTRAINT "User_digest_minute_check" CHECK ("digestMinute" IS NULL OR "digestMinute" BETWEEN 0 AND 1439);
-- A delivery is of one notification or of one day's digest.
ALTER TABLE "Delivery" ADD CONSTRAINT "Delivery_subject_check" CHECK (("notificationId" IS NULL) <> ("digestDay" IS NULL));
