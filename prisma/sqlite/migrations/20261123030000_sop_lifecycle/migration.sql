-- AlterTable
ALTER TABLE "Complaint" ADD COLUMN "holderRole" TEXT;
ALTER TABLE "Complaint" ADD COLUMN "holderStaff" TEXT;
