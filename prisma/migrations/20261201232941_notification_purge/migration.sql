-- CreateTable
CREATE TABLE "NotificationPurge" (
    "userId" TEXT NOT NULL,
    "throughSeq" BIGINT NOT NULL,
    "purgedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NotificationPurge_pkey" PRIMARY KEY ("userId")
);

-- AddForeignKey
ALTER TABLE "NotificationPurge" ADD CONSTRAINT "NotificationPurge_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
