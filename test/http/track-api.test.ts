/**
 * GET /api/track and the /lacak page over real HTTP, on SQLite and (test:pg) PostgreSQL: the
 * contract's 200 shape with nothing of the complainant's identity and no internal note; the same 404
 * for a wrong code and an unknown ticket; 400 for malformed or repeated parameters; 429 for too many
 * wrong codes on a ticket and too many requests from one client.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRACKING_ATTEMPTS } from "../../src/complaints/index.js";
import { LIMITS } from "../../src/http/rate-limit.js";
import { TEST_DB } from "../helpers/database.js";
import { startApp, type TestApp } from "../helpers/app.js";
import { WebchatCitizen, type Receipt } from "../helpers/webchat-citizen.js";

let app: TestApp;
let clients = 0;
/** A fresh client address, as the trusted proxy in front of the app reports it. */
const newClient = () => `203.0.113.${++clients}`;

beforeAll(async () => {
  app = await startApp({ env: { RATE_LIMIT: "on", TRUST_PROXY: "loopback", PUBLIC_BASE_URL: "https://aduan.contoh.go.id" } });
});
afterAll(async () => {
  await app?.close();
});

async function get(path: string, client = newClient()) {
  const response = await fetch(app.url + path, { headers: { "x-forwarded-for": client } });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text, headers: response.headers };
}

const NAME = "Budi Santoso";
const PHONE = "0857 3333 4444";
const ADDRESS = "Jl. Gatot Subroto Barat 88, Banjar Tegal, Denpasar";

/** Files the named complaint through the web chat as a fresh client. */
async function fileComplaint(): Promise<Receipt> {
  const citizen = new WebchatCitizen(app.url, { "x-forwarded-for": newClient() });
  await citizen.start();
  const text = "Petugas loket meminta biaya tambahan untuk mempercepat pembuatan KTP saya";
  return citizen.file(NAME, text, { details: [PHONE, ADDRESS], category: "2" });
}

const wrongCodeOf = (code: string) => (code.startsWith("A") ? `B${code.slice(1)}` : `A${code.slice(1)}`);

describe(`GET /api/track (${TEST_DB})`, () => {
  it("answers the contract's shape: status, step, public history and redacted staff replies, never identity or notes", async () => {
    const { ticket, code, text: receipt } = await fileComplaint();
    expect(receipt).toContain(`https://aduan.contoh.go.id/lacak?ticket=${ticket}`);
    const complaint = await app.db.prisma.complaint.findUniqueOrThrow({ where: { ticket } });
    const event = (type: string, data: Record<string, unknown>, minutes: number) => ({
      id: randomUUID(),
      complaintId: complaint.id,
      type,
      actor: "staff",
      data: JSON.stringify(data),
      createdAt: new Date(complaint.createdAt.getTime() + minutes * 60_000),
    });
    await app.db.prisma.complaintEvent.createMany({
      data: [
        event("staff.note", { by: "Petugas Rahasia", text: "CATATAN INTERNAL: pelapor tetangga kepala seksi" }, 1),
        event("staff.identity", { by: "Petugas Rahasia" }, 2),
        event(
          "staff.reply",
          { by: "Petugas Rahasia", text: `Bapak ${NAME}, kami akan menghubungi (0857) 3333-4444 dan datang ke Banjar Tegal.` },
          3,
        ),
      ],
    });

    const res = await get(`/api/track?ticket=${ticket}&code=${code}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = res.json!;
    expect(Object.keys(body).sort()).toEqual(["category", "dueAt", "events", "kind", "replies", "status", "step", "stepLabel", "ticket"]);
    expect(body).toMatchObject({ ticket, kind: "complaint", category: "Pelayanan", status: "open", step: "register" });
    expect(typeof body.stepLabel).toBe("string");
    expect(new Date(body.dueAt as string).getTime()).toBeGreaterThan(complaint.receivedAt.getTime());
    const events = body.events as { at: string; label: string }[];
    expect(events.map((e) => e.label)).toEqual(["Diterima", "Petugas mengirim jawaban"]);
    expect(events.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);
    const replies = body.replies as { at: string; text: string }[];
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toContain("[dirahasiakan]");
    expect(replies[0]!.text).toContain("kami akan menghubungi");

    for (const secret of [
      "Budi",
      "Santoso",
      "3333",
      "4444",
      "Gatot",
      "Tegal",
      "CATATAN",
      "Petugas Rahasia",
      complaint.complainantId,
      code,
    ]) {
      expect(res.text, secret).not.toContain(secret);
    }

    const english = await get(`/api/track?ticket=${ticket.toLowerCase()}&code=${code.toLowerCase()}&locale=en`);
    expect(english.status).toBe(200);
    expect((english.json!.events as { label: string }[])[0]!.label).toBe("Received");
  });

  it("answers a wrong code, an unknown ticket and a string that is no ticket with the same 404", async () => {
    const { ticket, code } = await fileComplaint();
    const wrong = await get(`/api/track?ticket=${ticket}&code=${wrongCodeOf(code)}`);
    const unknown = await get(`/api/track?ticket=ADU-2026-99999&code=${code}`);
    const notATicket = await get(`/api/track?ticket=HALO&code=${code}`);
    expect(wrong.status).toBe(404);
    expect(Object.keys(wrong.json!)).toEqual(["error"]);
    expect(wrong.json!.error).toMatch(/tidak ditemukan/);
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual(wrong.json);
    expect(notATicket.json).toEqual(wrong.json);
    expect(wrong.text).not.toContain(ticket);
  });

  it("refuses missing, malformed, repeated and NUL-carrying parameters with 400, never 5xx", async () => {
    const { ticket, code } = await fileComplaint();
    for (const query of [
      `ticket=${ticket}`,
      `code=${code}`,
      `ticket=${ticket}&code=${code}&code=${code}`,
      `ticket=${ticket}&ticket=${ticket}&code=${code}`,
      `ticket=${ticket}%00&code=${code}`,
      `ticket=${ticket}&code=${code}%00`,
      `ticket=%00%00&code=%00`,
      `ticket=${ticket}&code=${"A".repeat(200)}`,
      `ticket=${ticket}&code=${code}&locale=fr`,
      `ticket=${encodeURIComponent("ADU-2026-00001' OR 1=1 --")}&code=${code}`,
    ]) {
      const res = await get(`/api/track?${query}`);
      expect(res.status, query).toBe(400);
      expect(typeof res.json?.error, query).toBe("string");
    }
  });

  it("closes a ticket to codes after too many wrong ones, from any clients; the right code too, for the window", async () => {
    const { ticket, code } = await fileComplaint();
    for (let i = 0; i < TRACKING_ATTEMPTS.perTicket.max; i++) {
      expect((await get(`/api/track?ticket=${ticket}&code=${wrongCodeOf(code)}`)).status).toBe(404);
    }
    const refused = await get(`/api/track?ticket=${ticket}&code=${code}`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(60);
    expect(refused.json?.error).toMatch(/terlalu banyak percobaan/i);
    expect(refused.text).not.toContain("register");
  });

  it("limits one client's requests (429 with Retry-After)", async () => {
    const client = newClient();
    let last = await get(`/api/track?ticket=ADU-2026-99999&code=K7QX9M2P`, client);
    for (let i = 1; i < LIMITS.track.max + 1 && last.status !== 429; i++) {
      last = await get(`/api/track?ticket=ADU-2026-${String(50_000 + i)}&code=K7QX9M2P`, client);
    }
    expect(last.status).toBe(429);
    expect(Number(last.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(typeof last.json?.error).toBe("string");
  });
});

describe(`GET /lacak (${TEST_DB})`, () => {
  it("serves the page under the chat page's strict policy, its files and its texts", async () => {
    const page = await get("/lacak?ticket=ADU-2026-00001");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(page.text).toContain("/lacak/static/lacak.js");
    expect((await get("/lacak/static/lacak.js")).headers.get("content-type")).toMatch(/javascript/);
    expect((await get("/lacak/static/app.js")).status).toBe(404);
    expect((await get("/lacak/static/..%2f..%2fpackage.json")).status).toBe(404);
    expect((await get("/lacak/texts/en")).json).toMatchObject({ "code.label": "Tracking code" });
    expect((await get("/lacak/texts/fr")).status).toBe(404);
    // The chat page links to it.
    expect((await get("/")).text).toContain('href="/lacak"');
  });
});
