-- CreateTable
CREATE TABLE "SendPace" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "sentAt" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "SendPace_updatedAt_idx" ON "SendPace"("updatedAt");
