-- CreateTable
CREATE TABLE "FailedInbound" (
    "id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "providerMessageId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FailedInbound_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RateLimit" (
    "key" TEXT NOT NULL,
    "hits" INTEGER NOT NULL,
    "resetAt" BIGINT NOT NULL,

    CONSTRAINT "RateLimit_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "FailedInbound_createdAt_idx" ON "FailedInbound"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "FailedInbound_channel_providerMessageId_key" ON "FailedInbound"("channel", "providerMessageId");

-- CreateIndex
CREATE INDEX "RateLimit_resetAt_idx" ON "RateLimit"("resetAt");

