import { COMPLAINANT_SEALED } from "./identity-extension.js";
import type { IdentityKeyring } from "./identity-keys.js";
import { identityKeyring, isLookupHash, isSealed, lookupHash, lookupHashKeyId, seal, sealedKeyId, unseal } from "./identity-seal.js";
import type { SqlRunner } from "./sql.js";

/**
 * What a conversation's state holds of the person, sealed inside the state JSON: the draft's
 * identity fields and the complaint's text as written so far (the flow's Draft), and a message
 * kept while the citizen is asked where it belongs (`pendingFollowUp`).
 */
const DRAFT_SEALED = ["name", "email", "phone", "address", "text"] as const;
const STATE_SEALED = ["pendingFollowUp"] as const;

type Json = Record<string, unknown>;

function mapDraft(state: Json, change: (value: string) => string): Json {
  const draft = state.draft;
  let next = state;
  if (draft && typeof draft === "object") {
    const sealed: Json = { ...(draft as Json) };
    for (const field of DRAFT_SEALED) if (typeof sealed[field] === "string") sealed[field] = change(sealed[field]);
    next = { ...next, draft: sealed };
  }
  for (const field of STATE_SEALED) if (typeof next[field] === "string") next = { ...next, [field]: change(next[field]) };
  return next;
}

/** The sealed values of a stored state (plaintext ones included): what the passes look at. */
function sealedValues(state: Json): unknown[] {
  const draft = state.draft && typeof state.draft === "object" ? (state.draft as Json) : {};
  return [...DRAFT_SEALED.map((f) => draft[f]), ...STATE_SEALED.map((f) => state[f])];
}

/**
 * The stored form of each value a state opened, by its plaintext. A state written back with a
 * value unchanged keeps that value's ciphertext instead of sealing it again: the draft's up to six
 * sealed values are rewritten at every step, and a seal costs ≈ 4 µs however short the value (the
 * cipher's set-up), a step's largest cost after the database's. Nothing is revealed that the
 * rewritten row would not show: the value did not change.
 */
export type OpenedValues = Map<string, string>;

/** A conversation state as stored: the draft's identity fields sealed, the rest as the flow wrote it. */
export function stateForStorage(state: object, keyring: IdentityKeyring = identityKeyring(), opened?: OpenedValues): string {
  return JSON.stringify(mapDraft(state as Json, (v) => (isSealed(v) ? v : (opened?.get(v) ?? seal(v, keyring)))));
}

/**
 * A stored conversation state, opened (old plaintext states read as they are). With `opened`, notes
 * what each value sealed under the current key was stored as; one under an older key is sealed
 * anew when written back (a key rotation under way).
 */
export function stateFromStorage<T>(text: string, keyring: IdentityKeyring = identityKeyring(), opened?: OpenedValues): T {
  return mapDraft(JSON.parse(text) as Json, (v) => {
    const plain = unseal(v, keyring);
    if (opened && isSealed(v) && sealedKeyId(v) === keyring.current.id) opened.set(plain, v);
    return plain;
  }) as T;
}

/** Whether a stored value must be (re)sealed: plaintext, or sealed under another key than the current one. */
function stale(value: unknown, keyring: IdentityKeyring, plaintextOnly: boolean): value is string {
  return typeof value === "string" && (!isSealed(value) || (!plaintextOnly && sealedKeyId(value) !== keyring.current.id));
}

export interface PassCount {
  complainants: number;
  identities: number;
  conversations: number;
  messages: number;
  outbox: number;
  complaints: number;
  events: number;
  files: number;
}

const PAGE = 500;

/**
 * Seals every identity value not sealed under the current key: old plaintext rows (start-up) and
 * values under an older key (rotate-key). Idempotent and resumable: each row is updated only if it
 * still holds what was read, so two instances running it at once do no harm.
 */
export async function resealIdentities(
  sql: SqlRunner,
  keyring: IdentityKeyring = identityKeyring(),
  options: { plaintextOnly?: boolean } = {},
): Promise<PassCount> {
  const count: PassCount = { complainants: 0, identities: 0, conversations: 0, messages: 0, outbox: 0, complaints: 0, events: 0, files: 0 };
  const only = options.plaintextOnly === true;
  const isStale = (v: unknown): v is string => stale(v, keyring, only);
  const reseal = (v: string | null) => (isStale(v) ? seal(unseal(v, keyring), keyring) : v);

  let after = "";
  for (;;) {
    const rows = await sql.query<{ id: string; name: string | null; email: string | null; phone: string | null; address: string | null }>(
      `SELECT "id", "name", "email", "phone", "address" FROM "Complainant" WHERE "id" > ? ORDER BY "id" LIMIT ${PAGE}`,
      [after],
    );
    for (const row of rows) {
      if (!COMPLAINANT_SEALED.some((f) => isStale(row[f]))) continue;
      count.complainants += await sql.execute(
        `UPDATE "Complainant" SET "name" = ?, "email" = ?, "phone" = ?, "address" = ?
          WHERE "id" = ? AND "name" IS NOT DISTINCT FROM ? AND "email" IS NOT DISTINCT FROM ? AND "phone" IS NOT DISTINCT FROM ? AND "address" IS NOT DISTINCT FROM ?`,
        [reseal(row.name), reseal(row.email), reseal(row.phone), reseal(row.address), row.id, row.name, row.email, row.phone, row.address],
      );
    }
    if (rows.length < PAGE) break;
    after = rows.at(-1)!.id;
  }

  after = "";
  for (;;) {
    const rows = await sql.query<{ id: string; externalId: string; externalIdSealed: string | null; displayName: string | null }>(
      `SELECT "id", "externalId", "externalIdSealed", "displayName" FROM "ChannelIdentity" WHERE "id" > ? ORDER BY "id" LIMIT ${PAGE}`,
      [after],
    );
    for (const row of rows) {
      // The account id: hashed and sealed when plaintext, re-hashed and re-sealed under a new key.
      const hashStale = !isLookupHash(row.externalId) || (!only && lookupHashKeyId(row.externalId) !== keyring.current.id);
      if (!isStale(row.displayName) && !hashStale && !isStale(row.externalIdSealed)) continue;
      const account = row.externalIdSealed !== null ? unseal(row.externalIdSealed, keyring) : row.externalId;
      const externalId = hashStale ? lookupHash(account, keyring) : row.externalId;
      const sealed = row.externalIdSealed === null || isStale(row.externalIdSealed) ? seal(account, keyring) : row.externalIdSealed;
      count.identities += await sql.execute(
        `UPDATE "ChannelIdentity" SET "displayName" = ?, "externalId" = ?, "externalIdSealed" = ?
          WHERE "id" = ? AND "externalId" = ? AND "displayName" IS NOT DISTINCT FROM ? AND "externalIdSealed" IS NOT DISTINCT FROM ?`,
        [reseal(row.displayName), externalId, sealed, row.id, row.externalId, row.displayName, row.externalIdSealed],
      );
    }
    if (rows.length < PAGE) break;
    after = rows.at(-1)!.id;
  }

  after = "";
  for (;;) {
    const rows = await sql.query<{ id: string; state: string }>(
      `SELECT "id", "state" FROM "Conversation" WHERE "id" > ? ORDER BY "id" LIMIT ${PAGE}`,
      [after],
    );
    for (const row of rows) {
      const state = JSON.parse(row.state) as Json;
      if (!sealedValues(state).some(isStale)) continue;
      const next = JSON.stringify(mapDraft(state, (v) => reseal(v) ?? v));
      count.conversations += await sql.execute(`UPDATE "Conversation" SET "state" = ? WHERE "id" = ? AND "state" = ?`, [
        next,
        row.id,
        row.state,
      ]);
    }
    if (rows.length < PAGE) break;
    after = rows.at(-1)!.id;
  }
  count.messages = await resealColumn(sql, "Message", "text", isStale, reseal);
  count.messages += await resealColumn(sql, "Message", "options", isStale, reseal);
  count.outbox = await resealColumn(sql, "OutboxMessage", "payload", isStale, reseal);
  count.complaints = await resealColumn(sql, "Complaint", "text", isStale, reseal);
  count.complaints += await resealColumn(sql, "Complaint", "ratingComment", isStale, reseal);
  // Tracking codes (and the scrypt hashes older versions stored there) live in the trackingHash column.
  count.complaints += await resealColumn(sql, "Complaint", "trackingHash", isStale, reseal);
  count.events = await resealColumn(sql, "ComplaintEvent", "data", isStale, reseal);
  count.files = await resealColumn(sql, "Attachment", "filename", isStale, reseal);
  return count;
}

/** One text column of a table, page by page in id order (Message ids are numbers, outbox ids text: both order). */
async function resealColumn(
  sql: SqlRunner,
  table: "Message" | "OutboxMessage" | "Complaint" | "ComplaintEvent" | "Attachment",
  column: "text" | "options" | "payload" | "ratingComment" | "trackingHash" | "data" | "filename",
  isStale: (v: unknown) => v is string,
  reseal: (v: string | null) => string | null,
): Promise<number> {
  let done = 0;
  let after: string | number | undefined;
  for (;;) {
    const rows = await sql.query<{ id: string | number; value: string }>(
      `SELECT "id", "${column}" AS "value" FROM "${table}"${after === undefined ? "" : ` WHERE "id" > ?`} ORDER BY "id" LIMIT ${PAGE}`,
      after === undefined ? [] : [after],
    );
    for (const row of rows) {
      if (!isStale(row.value)) continue;
      done += await sql.execute(`UPDATE "${table}" SET "${column}" = ? WHERE "id" = ? AND "${column}" = ?`, [
        reseal(row.value),
        row.id,
        row.value,
      ]);
    }
    if (rows.length < PAGE) return done;
    after = rows.at(-1)!.id;
  }
}

/** Values sealed under a key the ring does not hold, or still in plaintext: what rotate-key must not leave behind. */
export async function identityKeyUse(sql: SqlRunner): Promise<Map<string, number>> {
  const use = new Map<string, number>();
  const add = (v: unknown) => {
    if (typeof v !== "string") return;
    const id = sealedKeyId(v) ?? "plaintext";
    use.set(id, (use.get(id) ?? 0) + 1);
  };
  for (const row of await sql.query<Json>(`SELECT "name", "email", "phone", "address" FROM "Complainant"`))
    COMPLAINANT_SEALED.forEach((f) => add(row[f]));
  for (const row of await sql.query<{ displayName: string | null; externalId: string; externalIdSealed: string | null }>(
    `SELECT "displayName", "externalId", "externalIdSealed" FROM "ChannelIdentity"`,
  )) {
    add(row.displayName);
    add(row.externalIdSealed);
    const hashKey = lookupHashKeyId(row.externalId) ?? "plaintext";
    use.set(hashKey, (use.get(hashKey) ?? 0) + 1);
  }
  for (const row of await sql.query<{ text: string; options: string | null }>(
    `SELECT "text", "options" FROM "Message" WHERE "text" <> ''`,
  )) {
    add(row.text);
    add(row.options);
  }
  for (const row of await sql.query<{ payload: string }>(`SELECT "payload" FROM "OutboxMessage" WHERE "payload" <> '{}'`)) add(row.payload);
  for (const row of await sql.query<{ text: string; ratingComment: string | null; trackingHash: string | null }>(
    `SELECT "text", "ratingComment", "trackingHash" FROM "Complaint"`,
  )) {
    if (row.text !== "") add(row.text);
    add(row.ratingComment);
    add(row.trackingHash);
  }
  for (const row of await sql.query<{ data: string }>(`SELECT "data" FROM "ComplaintEvent"`)) add(row.data);
  for (const row of await sql.query<{ filename: string | null }>(`SELECT "filename" FROM "Attachment"`)) add(row.filename);
  for (const row of await sql.query<{ state: string }>(`SELECT "state" FROM "Conversation"`)) {
    sealedValues(JSON.parse(row.state) as Json).forEach(add);
  }
  return use;
}
