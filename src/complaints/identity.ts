import { randomUUID } from "node:crypto";
import type { SqlRunner } from "../db/index.js";
import type { Draft } from "../flow/index.js";

export interface IdentityRow {
  channel: string;
  externalId: string;
  displayName?: string;
}

/** Values to insert when the complainant is new; the caller adds them to its batch. */
export interface NewComplainant {
  complainant: readonly unknown[];
  identity?: readonly unknown[];
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
    return { complainantId: id, insert: { complainant: [id, null, true, null, null, null, now, now] } };
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
      complainant: [id, draft.name ?? null, false, email, phone, draft.address ?? null, now, now],
      identity: [randomUUID(), who.channel, who.externalId, who.displayName ?? null, id, now],
    },
  };
}
