import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { complainantOf, verifyTrackingCode } from "../../src/complaints/index.js";
import {
  identityKeyring,
  identityKeyUse,
  installIdentityKeyring,
  keyringOf,
  loadIdentityKeyring,
  newKeyText,
  openDatabase,
  parseKeyList,
  resealIdentities,
  seal,
  sealPublic,
  stateForStorage,
  stateFromStorage,
  unseal,
  type OpenedValues,
} from "../../src/db/index.js";
import { dropTestDatabases, testDatabaseUrl } from "../helpers/database.js";
import { createTestPipeline, textMessage, TICKET, type TestPipeline } from "../helpers/pipeline.js";
import { attachFile } from "./helpers.js";

const NAME = "Siti Aminah";
const PHONE_TYPED = "0812 3456 7890";
const EMAIL = "siti.aminah@example.id";
const ADDRESS = "Jl. Melati 3, Denpasar";
/** What a dump must not show, in every spelling the flow may store. */
const SECRETS = [NAME, "81234567890", EMAIL, "Melati"];

let t: TestPipeline | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  installIdentityKeyring(keyringOf(parseKeyList(process.env.IDENTITY_KEY!), "setting"));
});
afterAll(async () => {
  await dropTestDatabases();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "kanal-privacy-"));
  dirs.push(dir);
  return dir;
}

async function fileNamedComplaint(p: TestPipeline, chatId: string, upTo = Infinity): Promise<string | undefined> {
  const lines = [
    "halo",
    "1",
    NAME,
    `${PHONE_TYPED} ${EMAIL}`,
    ADDRESS,
    "3",
    "Lampu jalan di depan rumah Siti Aminah di Jl. Melati mati sejak seminggu",
    "lewati",
    "ya",
  ];
  let last = "";
  for (const line of lines.slice(0, upTo)) {
    const result = await p.pipeline.receive(textMessage(chatId, line, { sender: { id: chatId, displayName: NAME } }));
    last = result.replies.map((r) => r.text).join(" ");
  }
  lastReceipt = last;
  return TICKET.exec(last)?.[0];
}
/** The last conversation's final answer: the receipt, with the tracking code, when it filed. */
let lastReceipt = "";

/** Every identity-bearing table as raw SQL sees it: what a dump or a stolen backup holds. */
async function rawDump(p: TestPipeline): Promise<string> {
  const tables = [
    "Complainant",
    "ChannelIdentity",
    "Conversation",
    "Message",
    "OutboxMessage",
    "Complaint",
    "ComplaintEvent",
    "Attachment",
  ];
  const parts = [];
  for (const table of tables) parts.push(JSON.stringify(await p.db.sql.query(`SELECT * FROM "${table}"`)));
  return parts.join("\n");
}

describe("the sealed value format", () => {
  const ring = keyringOf([Buffer.alloc(32, 7)], "setting");

  it("is enc:v1:<key id>:<iv>:<tag>:<ciphertext>, with a fresh IV each time, and opens again", () => {
    const a = seal(NAME, ring);
    const b = seal(NAME, ring);
    expect(a).toMatch(/^enc:v1:[0-9a-f]{8}:[A-Za-z0-9+/=]{16}:[A-Za-z0-9+/=]{24}:[A-Za-z0-9+/=]+$/);
    expect(a.split(":")[2]).toBe(ring.current.id);
    expect(a).not.toBe(b);
    expect(Buffer.from(a.split(":")[3]!, "base64")).toHaveLength(12);
    expect(unseal(a, ring)).toBe(NAME);
    expect(unseal("plain old value", ring)).toBe("plain old value");
  });

  it("gives the bot's own texts one sealed form per key, which opens like any other", () => {
    const other = keyringOf([Buffer.alloc(32, 8)], "setting");
    const menu = "Pilih kategori pengaduan:";
    expect(sealPublic(menu, ring)).toBe(sealPublic(menu, ring));
    expect(sealPublic(menu, other)).not.toBe(sealPublic(menu, ring));
    expect(sealPublic(menu, other).split(":")[2]).toBe(other.current.id);
    expect(unseal(sealPublic(menu, ring), ring)).toBe(menu);
    expect(sealPublic(`${menu} `, ring)).not.toBe(sealPublic(menu, ring));
  });

  it("refuses a tampered value and a value under a key it does not hold", () => {
    const sealed = seal(NAME, ring);
    const parts = sealed.split(":");
    const ct = Buffer.from(parts[5]!, "base64");
    ct[0] = ct[0]! ^ 1;
    parts[5] = ct.toString("base64");
    expect(() => unseal(parts.join(":"), ring)).toThrow();
    const other = keyringOf([Buffer.alloc(32, 8)], "setting");
    expect(() => unseal(sealed, other)).toThrow(/does not have/);
  });

  it("reads keys as base64 or hex, the current one first", () => {
    const hex = "ab".repeat(32);
    const b64 = Buffer.alloc(32, 1).toString("base64");
    const ring2 = keyringOf(parseKeyList(`${hex},${b64}`), "setting");
    expect(ring2.current.key.toString("hex")).toBe(hex);
    expect(ring2.all.size).toBe(2);
    expect(() => parseKeyList("too-short")).toThrow(/32 bytes/);
  });

  it("generates a key file once, mode 0600, and reuses it", () => {
    const file = join(tempDir(), "data", "identity.key");
    const first = loadIdentityKeyring({ file });
    expect(first.created).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadIdentityKeyring({ file });
    expect(again.created).toBe(false);
    expect(again.keyring.current.id).toBe(first.keyring.current.id);
    expect(loadIdentityKeyring({ file, setting: newKeyText() }).keyring.source).toBe("setting");
  });
});

describe("a conversation state written back", () => {
  const ring = keyringOf([Buffer.alloc(32, 7)], "setting");
  type State = { step: string; draft: { name?: string; text?: string; phone?: string }; pendingFollowUp?: string };
  const parts = (stored: string) => JSON.parse(stored) as State;

  it("keeps the ciphertext of a value that did not change and seals a changed or new one afresh", () => {
    const stored = stateForStorage({ step: "text", draft: { name: NAME, text: "Lampu jalan mati" } }, ring);
    const opened: OpenedValues = new Map();
    const state = stateFromStorage<State>(stored, ring, opened);
    expect(state.draft).toEqual({ name: NAME, text: "Lampu jalan mati" });

    const next = { ...state, step: "evidence", draft: { ...state.draft, text: "Lampu jalan mati sejak seminggu", phone: "6281234567890" } };
    const written = parts(stateForStorage(next, ring, opened));
    expect(written.draft.name).toBe(parts(stored).draft.name);
    expect(written.draft.text).not.toBe(parts(stored).draft.text);
    for (const value of Object.values(written.draft)) expect(value).toMatch(/^enc:v1:/);
    expect(stateFromStorage<State>(JSON.stringify(written), ring).draft).toEqual(next.draft);
    // Without the notes every value is sealed again (a fresh IV each time).
    expect(parts(stateForStorage(state, ring)).draft.name).not.toBe(parts(stored).draft.name);
  });

  it("seals a value stored under an older key with the current one, so a rotation under way still moves it", () => {
    const old = keyringOf([Buffer.alloc(32, 7)], "setting");
    const rotated = keyringOf([Buffer.alloc(32, 9), Buffer.alloc(32, 7)], "setting");
    const stored = stateForStorage({ step: "text", draft: { name: NAME }, pendingFollowUp: "pesan susulan" }, old);
    const opened: OpenedValues = new Map();
    const state = stateFromStorage<State>(stored, rotated, opened);
    expect(opened.size).toBe(0);
    const written = parts(stateForStorage(state, rotated, opened));
    expect(written.draft.name!.split(":")[2]).toBe(rotated.current.id);
    expect(written.pendingFollowUp!.split(":")[2]).toBe(rotated.current.id);
    expect(stateFromStorage<State>(JSON.stringify(written), rotated)).toMatchObject({
      draft: { name: NAME },
      pendingFollowUp: "pesan susulan",
    });
  });

  it("through the pipeline: a step that leaves the complaint's text alone stores it as it was, still sealed and still readable", async () => {
    t = await createTestPipeline();
    await fileNamedComplaint(t, "6281100000001", 7);
    const before = await t.db.sql.query<{ state: string }>(`SELECT "state" FROM "Conversation"`);
    await t.pipeline.receive(textMessage("6281100000001", "lewati", { sender: { id: "6281100000001", displayName: NAME } }));
    const after = await t.db.sql.query<{ state: string }>(`SELECT "state" FROM "Conversation"`);
    expect(parts(after[0]!.state).step).not.toBe(parts(before[0]!.state).step);
    expect(parts(after[0]!.state).draft.text).toBe(parts(before[0]!.state).draft.text);
    expect(parts(after[0]!.state).draft.name).toBe(parts(before[0]!.state).draft.name);
    expect(after[0]!.state).not.toContain("Melati");
    expect(stateFromStorage<State>(after[0]!.state).draft.text).toContain("Lampu jalan");
  });
});

describe("identity at rest", () => {
  it("seals the bot's template texts once for all conversations, and anything a person wrote or was told of themselves afresh", async () => {
    t = await createTestPipeline();
    await fileNamedComplaint(t, "same-a");
    await fileNamedComplaint(t, "same-b");
    const rows = await t.db.sql.query<{ chatId: string; direction: string; text: string; options: string | null }>(
      `SELECT c."chatId", m."direction", m."text", m."options" FROM "Message" m JOIN "Conversation" c ON c."id" = m."conversationId" ORDER BY m."id"`,
    );
    const of = (chatId: string, direction: string) => rows.filter((r) => r.chatId === chatId && r.direction === direction);
    const [inA, inB, outA, outB] = [of("same-a", "in"), of("same-b", "in"), of("same-a", "out"), of("same-b", "out")];
    expect(inA.length).toBeGreaterThan(5);
    expect(outA.length).toBe(outB.length);
    // The citizens typed the same words: never the same sealed form.
    inA.forEach((row, i) => {
      expect(unseal(row.text)).toBe(unseal(inB[i]!.text));
      expect(row.text).not.toBe(inB[i]!.text);
    });
    let shared = 0;
    outA.forEach((row, i) => {
      const b = outB[i]!;
      const text = unseal(row.text);
      // The receipts differ (ticket, tracking code); every other answer reads the same.
      if (unseal(b.text) !== text) return expect(text).toMatch(/ADU-/);
      const personal = [NAME, "Lampu jalan", "Melati", "ADU-"].some((value) => text.includes(value));
      if (personal) expect(row.text).not.toBe(b.text);
      if (row.text === b.text) shared++;
      if (row.options !== null && b.options !== null && row.options === b.options) expect(unseal(row.options)).not.toContain(NAME);
    });
    expect(shared).toBeGreaterThan(0);
    expect(outA.some((row) => [NAME, "Lampu jalan"].some((value) => unseal(row.text).includes(value)))).toBe(true);
  });

  it("keeps name, phone, e-mail and address out of a dump, while Prisma reads and the /identitas query see them", async () => {
    t = await createTestPipeline();
    // Half-way: the draft in the conversation state holds name, contact and address.
    await fileNamedComplaint(t, "rest-draft", 6);
    const draftDump = await rawDump(t);
    for (const secret of SECRETS) expect(draftDump).not.toContain(secret);
    // Further on, the draft holds the complaint's text too (it names a person and a street) until it is filed.
    await fileNamedComplaint(t, "rest-text", 8);
    const textDump = await rawDump(t);
    for (const secret of [...SECRETS, "Lampu jalan di depan rumah"]) expect(textDump).not.toContain(secret);
    const [draftRow] = await t.db.sql.query<{ state: string }>(`SELECT "state" FROM "Conversation" WHERE "chatId" = ?`, ["rest-text"]);
    expect((JSON.parse(draftRow!.state) as { draft: { text: string } }).draft.text).toMatch(/^enc:v1:/);

    const ticket = await fileNamedComplaint(t, "rest-1");
    expect(ticket).toBeDefined();
    const dump = await rawDump(t);
    for (const secret of SECRETS) expect(dump).not.toContain(secret);
    expect(dump).toContain("enc:v1:");

    const complaint = await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket: ticket! }, include: { complainant: true } });
    expect(complaint.complainant).toMatchObject({ name: NAME, email: EMAIL, address: ADDRESS, anonymous: false });
    expect(complaint.complainant.phone).toMatch(/81234567890$/);
    const person = await complainantOf(t.db.prisma, complaint);
    expect(person?.name).toBe(NAME);
    expect(person?.identities[0]?.displayName).toBe(NAME);
  });

  it("keeps the account id (a WhatsApp number) only as a keyed hash, and still finds the same account by it", async () => {
    t = await createTestPipeline();
    const phone = "6281398765432";
    const from = { channel: "telegram" as const, sender: { id: phone, phone: `+${phone}`, displayName: NAME } };
    const lines = ["halo", "1", NAME, EMAIL, ADDRESS, "3", "Lampu jalan di depan kantor desa mati sejak seminggu", "lewati", "ya"];
    let last = "";
    for (const line of lines) last = (await t.pipeline.receive(textMessage("chat-wa-1", line, from))).replies.map((r) => r.text).join(" ");
    const ticket = TICKET.exec(last)![0];
    const accounts = await t.db.sql.query<{ externalId: string; externalIdSealed: string }>(`SELECT * FROM "ChannelIdentity"`);
    expect(accounts).toHaveLength(1);
    expect(accounts[0]!.externalId).toMatch(/^h:[0-9a-f]{8}:[A-Za-z0-9_-]{43}$/);
    expect(accounts[0]!.externalIdSealed).toMatch(/^enc:v1:/);
    expect(JSON.stringify(accounts)).not.toContain(phone.slice(2));
    // The same account from another chat: its status (the lookup by hash), and the same complainant reused.
    const status = await t.pipeline.receive(textMessage("chat-wa-2", `status ${ticket}`, from));
    expect(status.replies[0]!.text).toContain(ticket);
    expect(status.replies[0]!.text).toMatch(/Diterima/);
    const person = await complainantOf(t.db.prisma, await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } }));
    expect(person?.identities.map((i) => i.externalId)).toEqual([phone]);
    expect(await t.db.prisma.channelIdentity.count({ where: { channel: "telegram", externalId: phone } })).toBe(1);
  });

  it("seals what other code writes through Prisma too, inside interactive transactions as well", async () => {
    t = await createTestPipeline();
    const ticket = await fileNamedComplaint(t, "prisma-1");
    const complaint = await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket: ticket! } });
    const note = JSON.stringify({ text: `Sudah ditelepon ${NAME} di ${PHONE_TYPED}` });
    await t.db.prisma.complaintEvent.create({
      data: { id: "ev-1", complaintId: complaint.id, type: "staff.note", actor: "staff:1", data: note },
    });
    await t.db.prisma.$transaction(async (tx) => {
      await tx.complaintEvent.create({
        data: { id: "ev-2", complaintId: complaint.id, type: "staff.reply", actor: "staff:1", data: note },
      });
      await tx.complaint.update({ where: { id: complaint.id }, data: { ratingComment: `Terima kasih, ${NAME}` } });
    });
    await attachFile(t, complaint.id, "a photo named after its owner");
    const raw =
      JSON.stringify(await t.db.sql.query(`SELECT "data" FROM "ComplaintEvent" WHERE "id" IN ('ev-1', 'ev-2')`)) +
      JSON.stringify(await t.db.sql.query(`SELECT "filename" FROM "Attachment"`));
    const rawComplaint = JSON.stringify(await t.db.sql.query(`SELECT "text", "ratingComment" FROM "Complaint"`));
    for (const secret of SECRETS) expect(raw + rawComplaint).not.toContain(secret);
    const events = await t.db.prisma.complaintEvent.findMany({ where: { id: { in: ["ev-1", "ev-2"] } } });
    expect(events.map((e) => e.data)).toEqual([note, note]);
    expect((await t.db.prisma.complaint.findUniqueOrThrow({ where: { id: complaint.id } })).ratingComment).toBe(`Terima kasih, ${NAME}`);
    expect((await t.db.prisma.attachment.findFirstOrThrow({ where: { complaintId: complaint.id } })).filename).toBe(
      "bukti_Siti_Aminah.jpg",
    );
  });

  it("seals plaintext rows left from before the upgrade when the database opens, and they still read", async () => {
    const dir = tempDir();
    const url = await testDatabaseUrl(dir);
    const db = await openDatabase(url);
    const now = new Date();
    await db.sql.execute(
      `INSERT INTO "Complainant" ("id", "name", "anonymous", "email", "phone", "address", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ["old-1", NAME, false, EMAIL, "+6281234567890", ADDRESS, now, now],
    );
    await db.sql.execute(
      `INSERT INTO "ChannelIdentity" ("id", "channel", "externalId", "displayName", "complainantId", "createdAt") VALUES (?, ?, ?, ?, ?, ?)`,
      ["acct-1", "whatsapp-cloud", "6281234567890", NAME, "old-1", now],
    );
    // The pass runs once per database: forget that it ran, as on a database from before it existed.
    await db.sql.execute(`DELETE FROM "ChannelState" WHERE "key" = ?`, ["privacy:plaintext-sealed:v2"]);
    expect((await db.prisma.complainant.findUniqueOrThrow({ where: { id: "old-1" } })).name).toBe(NAME);
    await db.close();

    const reopened = await openDatabase(url);
    const raw = await reopened.sql.query<Record<string, string>>(`SELECT "name", "email", "phone", "address" FROM "Complainant"`);
    for (const value of Object.values(raw[0]!)) expect(value).toMatch(/^enc:v1:/);
    expect(await reopened.prisma.complainant.findUniqueOrThrow({ where: { id: "old-1" } })).toMatchObject({
      name: NAME,
      phone: "+6281234567890",
    });
    const account = await reopened.sql.query<Record<string, string>>(
      `SELECT "externalId", "externalIdSealed", "displayName" FROM "ChannelIdentity"`,
    );
    expect(account[0]!.externalId).toMatch(/^h:/);
    expect(account[0]!.externalIdSealed).toMatch(/^enc:v1:/);
    expect(account[0]!.displayName).toMatch(/^enc:v1:/);
    const found = await reopened.prisma.channelIdentity.findFirstOrThrow({
      where: { channel: "whatsapp-cloud", externalId: "6281234567890" },
    });
    expect(found).toMatchObject({ externalId: "6281234567890", displayName: NAME, complainantId: "old-1" });
    await reopened.close();
  });

  it("re-encrypts everything under a new key (rotate-key) and stays readable with the new key alone", async () => {
    t = await createTestPipeline();
    await fileNamedComplaint(t, "rot-draft", 6);
    const ticket = await fileNamedComplaint(t, "rot-1");
    const code = new RegExp(`status ${ticket} (\\w{8})`).exec(lastReceipt)![1]!;
    const old = identityKeyring();
    const fresh = keyringOf([Buffer.from(newKeyText(), "base64"), old.current.key], "setting");
    installIdentityKeyring(fresh);
    const count = await resealIdentities(t.db.sql, fresh);
    expect(count.complainants).toBe(1);
    // The filed conversation's draft was emptied at filing: only the half-written one holds identity.
    expect(count.conversations).toBe(1);
    expect([...(await identityKeyUse(t.db.sql)).keys()]).toEqual([fresh.current.id]);

    installIdentityKeyring(keyringOf([fresh.current.key], "setting"));
    const complaint = await t.db.prisma.complaint.findUniqueOrThrow({ where: { ticket: ticket! }, include: { complainant: true } });
    expect(complaint.complainant.name).toBe(NAME);
    // The tracking code was re-sealed with the rest: it still opens the status with the new key alone.
    expect(await verifyTrackingCode(ticket!, code, complaint.trackingHash)).toBe(true);
    // The half-written draft goes on with the new key too.
    const next = await t.pipeline.receive(textMessage("rot-draft", "3", { sender: { id: "rot-draft" } }));
    expect(next.replies.length).toBeGreaterThan(0);
    const dump = await rawDump(t);
    for (const secret of SECRETS) expect(dump).not.toContain(secret);
  });
});
