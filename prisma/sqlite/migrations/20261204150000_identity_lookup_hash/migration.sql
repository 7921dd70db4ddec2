-- The account id sealed beside its keyed hash (externalId): see src/db/identity-seal.ts.
ALTER TABLE "ChannelIdentity" ADD COLUMN "externalIdSealed" TEXT;
