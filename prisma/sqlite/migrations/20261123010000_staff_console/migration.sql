-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'reply';

-- CreateTable
CREATE TABLE "ProcessedUpdate" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "OutboxMessage_complaintId_kind_idx" ON "OutboxMessage"("complaintId", "kind");

-- CreateIndex
CREATE INDEX "OutboxMessage_channel_chatId_providerMessageId_idx" ON "OutboxMessage"("channel", "chatId", "providerMessageId");
