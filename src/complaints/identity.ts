import { inJsonList, lookupHash, lookupHashes, newOrderedId, seal, sealNullable, type BatchRow, type SqlRunner } from "../db/index.js";
import type { Draft } from "../flow/index.js";

export interface IdentityRow {
  channel: string;
  externalId: string;
  displayName?: string;
}

/** Values to insert when the complainant is new; the caller adds them to its batch. */
export interface NewComplainant {
  complainant: BatchRow<"complainant">;
  identity?: BatchRow<"identity">;
}

/**
 * Who filed: an anonymous complaint gets a complainant of its own, linked to no account, so a
 * later named complaint from the same account can never reveal who sent the anonymous one.
 * A named one reuses the account's complainant and refreshes the details just given.
 */
export async function resolveComplainant(
  sql: SqlRunner,
  draft: Draft,
  who: IdentityRow & { phone?: string; email?: string },
  now: Date,
  known: Map<string, string>,
): Promise<{ complainantId: string; insert?: NewComplainant }> {
  // Sealed here, at the raw-SQL write (src/db/identity-seal.ts): Prisma reads open them again.
  const phone = sealNullable(draft.phone ?? who.phone);
  const email = sealNullable(draft.email ?? who.email);
  const name = sealNullable(draft.name);
  const address = sealNullable(draft.address);
  if (draft.anonymous) {
    const id = newOrderedId(now.getTime());
    const complainant = { id, name: null, anonymous: true, email: null, phone: null, address: null, createdAt: now, updatedAt: now };
    return { complainantId: id, insert: { complainant } };
  }
  const key = `${who.channel}\u0000${who.externalId}`;
  let existing = known.get(key);
  if (!existing) {
    // The account id is stored as its keyed hash: one per key while a rotation is under way.
    const rows = await sql.query<{ complainantId: string }>(
      `SELECT "complainantId" FROM "ChannelIdentity" WHERE "channel" = ? AND ${inJsonList(sql.provider, `"externalId"`)}`,
      [who.channel, JSON.stringify(lookupHashes(who.externalId))],
    );
    existing = rows[0]?.complainantId;
  }
  if (existing) {
    known.set(key, existing);
    await sql.execute(
      `UPDATE "Complainant" SET "name" = COALESCE(?, "name"), "email" = COALESCE(?, "email"), "phone" = COALESCE(?, "phone"),
              "address" = COALESCE(?, "address"), "anonymous" = ?, "updatedAt" = ? WHERE "id" = ?`,
      [name, email, phone, address, false, now, existing],
    );
    return { complainantId: existing };
  }
  const id = newOrderedId(now.getTime());
  known.set(key, id);
  return {
    complainantId: id,
    insert: {
      complainant: {
        id,
        name,
        anonymous: false,
        email,
        phone,
        address,
        createdAt: now,
        updatedAt: now,
      },
      identity: {
        id: newOrderedId(now.getTime()),
        channel: who.channel,
        externalId: lookupHash(who.externalId),
        externalIdSealed: seal(who.externalId),
        displayName: sealNullable(who.displayName),
        complainantId: id,
        createdAt: now,
      },
    },
  };
}
