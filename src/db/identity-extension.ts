import type { PrismaDb } from "./client.js";
import { isLookupHash, isSealed, lookupHash, lookupHashes, seal, sealNullable, unseal, unsealNullable } from "./identity-seal.js";

/** The Complainant columns sealed at rest (the flow's draft carries the same ones: stateForStorage in identity-pass.ts). */
export const COMPLAINANT_SEALED = ["name", "email", "phone", "address"] as const;

type Data = Record<string, unknown>;

function sealData(data: unknown, fields: readonly string[]): void {
  if (Array.isArray(data)) {
    for (const row of data) sealData(row, fields);
    return;
  }
  if (!data || typeof data !== "object") return;
  const row = data as Data;
  for (const field of fields) {
    const value = row[field];
    if (typeof value === "string" && !isSealed(value)) row[field] = sealNullable(value);
    // `{ set: "…" }` is Prisma's long form of an update.
    else if (value && typeof value === "object" && typeof (value as Data).set === "string")
      (value as Data).set = sealNullable((value as Data).set as string);
  }
}

/** An account id written through Prisma: stored as its keyed hash, with the id sealed beside it. */
function hashAccount(data: unknown): void {
  if (Array.isArray(data)) {
    for (const row of data) hashAccount(row);
    return;
  }
  if (!data || typeof data !== "object") return;
  const row = data as Data;
  if (typeof row.externalId === "string" && !isLookupHash(row.externalId)) {
    row.externalIdSealed = seal(row.externalId);
    row.externalId = lookupHash(row.externalId);
  }
}

/**
 * Seals identity fields written through Prisma and opens them on every read, nested reads included
 * (`include: { complainant: true }`): code reading a complainant sees what it saw before
 * encryption. The hot path writes with raw SQL and seals itself (src/complaints/identity.ts,
 * src/pipeline/step-batch.ts, src/outbox/enqueue.ts); raw SQL that READS a sealed column must
 * unseal() it, and raw SQL cannot compare or search one (use lookupHashes for account ids).
 */
export function withSealedIdentity(prisma: PrismaDb): PrismaDb {
  const open = (value: string | null) => unsealNullable(value);
  const extended = prisma.$extends({
    name: "sealed-identity",
    result: {
      complainant: {
        name: { needs: { name: true }, compute: (c) => open(c.name) },
        email: { needs: { email: true }, compute: (c) => open(c.email) },
        phone: { needs: { phone: true }, compute: (c) => open(c.phone) },
        address: { needs: { address: true }, compute: (c) => open(c.address) },
      },
      channelIdentity: {
        displayName: { needs: { displayName: true }, compute: (i) => open(i.displayName) },
        // externalId is stored as its keyed hash; the account id itself comes from the sealed copy.
        externalId: {
          needs: { externalId: true, externalIdSealed: true },
          compute: (i) => (i.externalIdSealed === null ? i.externalId : unseal(i.externalIdSealed)),
        },
      },
      // Conversation texts and the texts waiting to be sent carry the same identity (src/pipeline, src/outbox seal them).
      message: {
        text: { needs: { text: true }, compute: (m) => unseal(m.text) },
        options: { needs: { options: true }, compute: (m) => open(m.options) },
      },
      outboxMessage: {
        payload: { needs: { payload: true }, compute: (o) => unseal(o.payload) },
      },
      // The complaint's own words and what was said about it name people as often as the messages do.
      complaint: {
        text: { needs: { text: true }, compute: (c) => unseal(c.text) },
        ratingComment: { needs: { ratingComment: true }, compute: (c) => open(c.ratingComment) },
      },
      complaintEvent: {
        data: { needs: { data: true }, compute: (e) => unseal(e.data) },
      },
      attachment: {
        filename: { needs: { filename: true }, compute: (a) => open(a.filename) },
      },
    },
    query: {
      complainant: {
        async $allOperations({ args, query }) {
          const a = args as { data?: unknown; create?: unknown; update?: unknown };
          sealData(a.data, COMPLAINANT_SEALED);
          sealData(a.create, COMPLAINANT_SEALED);
          sealData(a.update, COMPLAINANT_SEALED);
          return query(args);
        },
      },
      complaint: {
        async $allOperations({ args, query }) {
          const a = args as { data?: unknown; create?: unknown; update?: unknown };
          for (const part of [a.data, a.create, a.update]) sealData(part, ["text", "ratingComment"]);
          return query(args);
        },
      },
      attachment: {
        async $allOperations({ args, query }) {
          const a = args as { data?: unknown; create?: unknown; update?: unknown };
          for (const part of [a.data, a.create, a.update]) sealData(part, ["filename"]);
          return query(args);
        },
      },
      complaintEvent: {
        async $allOperations({ args, query }) {
          const a = args as { data?: unknown; create?: unknown; update?: unknown };
          for (const part of [a.data, a.create, a.update]) sealData(part, ["data"]);
          return query(args);
        },
      },
      channelIdentity: {
        async $allOperations({ args, query }) {
          const a = args as { data?: unknown; create?: unknown; update?: unknown; where?: Data };
          for (const part of [a.data, a.create, a.update]) {
            sealData(part, ["displayName"]);
            hashAccount(part);
          }
          // A lookup by account id finds its keyed hash under any key of the ring.
          if (a.where && typeof a.where.externalId === "string") a.where.externalId = { in: lookupHashes(a.where.externalId) };
          return query(args);
        },
      },
    },
  });
  // The extension keeps every model's shape (the shadowed fields stay string | null).
  return extended as unknown as PrismaDb;
}
