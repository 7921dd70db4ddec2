-- CreateTable
CREATE TABLE "FailedInbound" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "channel" TEXT NOT NULL,
    "providerMessageId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "RateLimit" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "hits" INTEGER NOT NULL,
    "resetAt" BIGINT NOT NULL
);

-- CreateIndex
CREATE INDEX "FailedInbound_createdAt_idx" ON "FailedInbound"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "FailedInbound_channel_providerMessageId_key" ON "FailedInbound"("channel", "providerMessageId");

-- CreateIndex
CREATE INDEX "RateLimit_resetAt_idx" ON "RateLimit"("resetAt");

