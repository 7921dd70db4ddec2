-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'reply';

-- CreateTable
CREATE TABLE "ProcessedUpdate" (
    "key" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProcessedUpdate_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "OutboxMessage_complaintId_kind_idx" ON "OutboxMessage"("complaintId", "kind");

-- CreateIndex
CREATE INDEX "OutboxMessage_channel_chatId_providerMessageId_idx" ON "OutboxMessage"("channel", "chatId", "providerMessageId");

