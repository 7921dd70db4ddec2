-- CreateTable
CREATE TABLE "SendPace" (
    "key" TEXT NOT NULL,
    "sentAt" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SendPace_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "SendPace_updatedAt_idx" ON "SendPace"("updatedAt");
