-- AlterTable
ALTER TABLE "Complaint" ADD COLUMN     "holderRole" TEXT,
ADD COLUMN     "holderStaff" TEXT;
