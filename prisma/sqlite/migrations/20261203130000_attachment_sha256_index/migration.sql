-- CreateIndex
CREATE INDEX "Attachment_sha256_idx" ON "Attachment"("sha256");
