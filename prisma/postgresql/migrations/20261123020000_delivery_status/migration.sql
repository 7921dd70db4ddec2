-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "deliveryStatus" TEXT,
ADD COLUMN     "deliveryStatusAt" TIMESTAMP(3);

