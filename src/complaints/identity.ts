import { randomUUID } from "node:crypto";
import type { BatchRow, SqlRunner } from "../db/index.js";
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
  const phone = draft.phone ?? who.phone ?? null;
  const email = draft.email ?? who.email ?? null;
  if (draft.anonymous) {
    const id = randomUUID();
    const complainant = { id, name: null, anonymous: true, email: null, phone: null, address: null, createdAt: now, updatedAt: now };
    return { complainantId: id, insert: { complainant } };
  }
  const key = `${who.channel}\u0000${who.externalId}`;
  let existing = known.get(key);
  if (!existing) {
    const rows = await sql.query<{ complainantId: string }>(
      `SELECT "complainantId" FROM "ChannelIdentity" WHERE "channel" = ? AND "externalId" = ?`,
      [who.channel, who.externalId],
    );
    existing = rows[0]?.complainantId;
  }
  if (existing) {
    known.set(key, existing);
    await sql.execute(
      `UPDATE "Complainant" SET "name" = COALESCE(?, "name"), "email" = COALESCE(?, "email"), "phone" = COALESCE(?, "phone"),
              "address" = COALESCE(?, "address"), "anonymous" = ?, "updatedAt" = ? WHERE "id" = ?`,
      [draft.name ?? null, email, phone, draft.address ?? null, false, now, existing],
    );
    return { complainantId: existing };
  }
  const id = randomUUID();
  known.set(key, id);
  return {
    complainantId: id,
    insert: {
      complainant: {
        id,
        name: draft.name ?? null,
        anonymous: false,
        email,
        phone,
        address: draft.address ?? null,
        createdAt: now,
        updatedAt: now,
      },
      identity: {
        id: randomUUID(),
        channel: who.channel,
        externalId: who.externalId,
        displayName: who.displayName ?? null,
        complainantId: id,
        createdAt: now,
      },
    },
  };
}
