import type { Prisma } from "./generated/sqlite/client.js";

/**
 * Rows as the Prisma client reads them, named once from the schema (prisma/models.prisma.part)
 * instead of hand-typed where they are read. Both generated clients share the models (see PrismaDb).
 */
export type {
  Complaint as ComplaintRecord,
  ComplaintEvent as ComplaintEventRecord,
  Complainant as ComplainantRecord,
  ChannelIdentity as ChannelIdentityRecord,
  Conversation as ConversationRecord,
  Staff as StaffRecord,
} from "./generated/sqlite/client.js";

/** An interactive transaction's client: the model delegates and raw SQL, without $transaction. */
export type PrismaTx = Prisma.TransactionClient;
