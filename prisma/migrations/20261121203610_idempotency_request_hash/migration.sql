-- AlterTable
ALTER TABLE "IdempotencyRecord" ADD COLUMN     "requestHash" TEXT NOT NULL;

-- CreateIndex
CREATE INDEX "IdempotencyRecord_createdAt_idx" ON "IdempotencyRecord"("createdAt");
