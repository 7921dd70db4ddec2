-- AlterTable
ALTER TABLE "Complaint" ADD COLUMN "trackingHash" TEXT;
