import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webchatChatId } from "../../src/db/index.js";
import { startApp, type TestApp } from "../helpers/app.js";
import { ANONYMOUS_INTAKE, TICKET } from "../helpers/pipeline.js";
import { HOSTILE, SAMPLES } from "../helpers/sample-files.js";

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ env: { OFFICE_NAME: "Kecamatan Uji Coba" } });
});
afterAll(async () => {
  await app.close();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  const response = await fetch(app.url + path, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json: json as Record<string, unknown>, text, type: response.headers.get("content-type") ?? "" };
}

async function newSession(body: unknown = {}) {
  const res = await call("POST", "/api/webchat/sessions", body);
  expect(res.status).toBe(201);
  return res.json.sessionId as string;
}

describe("website chat API", () => {
  it("serves the page, its assets and its texts", async () => {
    const page = await call("GET", "/");
    expect(page.status).toBe(200);
    expect(page.type).toContain("text/html");
    expect(page.text).toContain("<html");
    expect((await call("GET", "/webchat/static/app.js")).type).toContain("javascript");
    const texts = await call("GET", "/webchat/texts/en");
    expect(texts.status).toBe(200);
    expect(Object.keys(texts.json).length).toBeGreaterThan(3);
    expect(texts.json["office.name"]).toBe("Kecamatan Uji Coba");
    expect((await call("GET", "/webchat/static/../../package.json")).status).toBe(404);
  });

  it("opens a session with the greeting and menu already in its history", async () => {
    const id = await newSession();
    expect(id).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const history = await call("GET", `/api/webchat/sessions/${id}/messages`);
    expect(history.status).toBe(200);
    const messages = history.json.messages as { from: string; text: string }[];
    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(messages.every((m) => m.from === "bot")).toBe(true);
    expect(messages.map((m) => m.text).join("\n")).toMatch(/1\..*\n.*2\..*\n.*3\./s);
  });

  it("files a complaint in English over HTTP and returns the ticket", async () => {
    const id = await newSession({ locale: "en" });
    let last: { text: string; options?: string[] }[] = [];
    for (const text of ANONYMOUS_INTAKE.map((t) => (t === "lewati" ? "skip" : t === "ya" ? "yes" : t === "anonim" ? "anonymous" : t))) {
      const res = await call("POST", `/api/webchat/sessions/${id}/messages`, { text });
      expect(res.status).toBe(200);
      last = res.json.replies as typeof last;
    }
    const receipt = last.map((r) => r.text).join("\n");
    expect(receipt).toMatch(TICKET);
    expect(receipt).toMatch(/ticket/i);
    // Polling with the cursor returns only what came after it.
    const all = await call("GET", `/api/webchat/sessions/${id}/messages`);
    const cursor = all.json.cursor as string;
    const after = await call("GET", `/api/webchat/sessions/${id}/messages?after=${cursor}`);
    expect(after.json.messages).toEqual([]);
    expect(after.json.cursor).toBe(cursor);
  });

  it("returns option buttons with the replies that ask a choice", async () => {
    const id = await newSession();
    const res = await call("POST", `/api/webchat/sessions/${id}/messages`, { text: "1" });
    const replies = res.json.replies as { text: string; options?: string[] }[];
    expect(replies.at(-1)!.options).toEqual(expect.arrayContaining([expect.stringMatching(/anonim/i)]));
  });

  describe("refuses bad input with a 4xx and a JSON error, never a 500", () => {
    it.each([
      ["malformed JSON", "{not json", 400],
      ["text of the wrong type", { text: 42 }, 400],
      ["missing text", {}, 400],
      ["empty text", { text: "" }, 400],
      ["text over 4000 characters", { text: "a".repeat(4001) }, 400],
      ["an array body", [1, 2], 400],
    ])("%s", async (_name, body, status) => {
      const id = await newSession();
      const res = await call("POST", `/api/webchat/sessions/${id}/messages`, body);
      expect(res.status).toBe(status);
      expect(typeof res.json.error).toBe("string");
      // Nothing was stored as a citizen message.
      const history = await call("GET", `/api/webchat/sessions/${id}/messages`);
      expect((history.json.messages as { from: string }[]).some((m) => m.from === "citizen")).toBe(false);
    });

    it("unknown session → 404", async () => {
      const res = await call("POST", "/api/webchat/sessions/no-such-session/messages", { text: "halo" });
      expect(res.status).toBe(404);
      expect(res.json.error).toMatch(/session/);
      expect((await call("GET", "/api/webchat/sessions/no-such-session/messages")).status).toBe(404);
    });

    it("bad locale and bad cursor → 400", async () => {
      expect((await call("POST", "/api/webchat/sessions", { locale: "fr" })).status).toBe(400);
      const id = await newSession();
      const res = await call("GET", `/api/webchat/sessions/${id}/messages?after=abc`);
      expect(res.status).toBe(400);
      expect(res.json.error).toMatch(/after/);
    });

    it("wrong content type → 415", async () => {
      const id = await newSession();
      const res = await call("POST", `/api/webchat/sessions/${id}/messages`, "text=halo", {
        "content-type": "application/x-www-form-urlencoded",
      });
      expect(res.status).toBe(415);
      expect(typeof res.json.error).toBe("string");
    });

    it("a body over the size limit → 413", async () => {
      const id = await newSession();
      const res = await call("POST", `/api/webchat/sessions/${id}/messages`, { text: "a".repeat(100_000) });
      expect(res.status).toBe(413);
      expect(typeof res.json.error).toBe("string");
    });

    it("an unknown route → 404 JSON", async () => {
      const res = await call("GET", "/api/nothing-here");
      expect(res.status).toBe(404);
      expect(res.json.error).toBeDefined();
    });
  });

  it("processes a message retried with the same clientMessageId once", async () => {
    const id = await newSession();
    const first = await call("POST", `/api/webchat/sessions/${id}/messages`, { text: "1", clientMessageId: "c-1" });
    const retry = await call("POST", `/api/webchat/sessions/${id}/messages`, { text: "1", clientMessageId: "c-1" });
    expect(retry.json.replies).toEqual(first.json.replies);
    const history = await call("GET", `/api/webchat/sessions/${id}/messages`);
    expect((history.json.messages as { from: string }[]).filter((m) => m.from === "citizen")).toHaveLength(1);
  });

  it("keeps a clientMessageId to its session: another session sending the same id is a message of its own", async () => {
    const a = await newSession();
    const b = await newSession();
    const first = await call("POST", `/api/webchat/sessions/${a}/messages`, { text: "1", clientMessageId: "c-1" });
    // Not a retry of a's message: b's own text is stepped, and b never sees a's replies.
    const other = await call("POST", `/api/webchat/sessions/${b}/messages`, { text: "2", clientMessageId: "c-1" });
    expect(other.status).toBe(200);
    expect(other.json.replies).not.toEqual(first.json.replies);
    const history = await call("GET", `/api/webchat/sessions/${b}/messages`);
    const citizen = (history.json.messages as { from: string; text: string }[]).filter((m) => m.from === "citizen");
    expect(citizen.map((m) => m.text)).toEqual(["2"]);
    // And a's retry is still a's duplicate.
    const retry = await call("POST", `/api/webchat/sessions/${a}/messages`, { text: "1", clientMessageId: "c-1" });
    expect(retry.json.replies).toEqual(first.json.replies);
  });
});

async function uploadTo(to: TestApp, id: string, bytes: Uint8Array<ArrayBuffer>, name: string, type: string) {
  const form = new FormData();
  form.append("file", new Blob([bytes], { type }), name);
  const response = await fetch(`${to.url}/api/webchat/sessions/${id}/attachments`, { method: "POST", body: form });
  return { status: response.status, json: (await response.json()) as { replies?: { text: string }[]; error?: string; reason?: string } };
}

async function evidenceStepOf(to: TestApp) {
  const opened = await fetch(`${to.url}/api/webchat/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  const { sessionId } = (await opened.json()) as { sessionId: string };
  for (const text of ANONYMOUS_INTAKE.slice(0, 4)) {
    await fetch(`${to.url}/api/webchat/sessions/${sessionId}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }),
    });
  }
  return sessionId;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

function filesOnDisk(): string[] {
  const dir = join(app.dir, "attachments");
  return existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: "utf8" }) : [];
}

describe("attachment quotas", () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await startApp({
      env: { ATTACHMENT_MAX_FILES: "2", ATTACHMENT_MAX_BYTES: "100000", ATTACHMENT_MAX_BYTES_PER_CONVERSATION: "150000" },
    });
  });
  afterAll(async () => {
    await limited.close();
  });
  const jpeg = (size: number, seed: number) => {
    const bytes = new Uint8Array(size);
    bytes.set(SAMPLES.jpeg);
    bytes[size - 1] = seed;
    return bytes;
  };

  it("ATTACHMENT_MAX_FILES: the third file of a complaint answers 413 with reason tooMany", async () => {
    const id = await evidenceStepOf(limited);
    expect((await uploadTo(limited, id, jpeg(1000, 1), "a.jpg", "image/jpeg")).status).toBe(200);
    expect((await uploadTo(limited, id, jpeg(1000, 2), "b.jpg", "image/jpeg")).status).toBe(200);
    const third = await uploadTo(limited, id, jpeg(1000, 3), "c.jpg", "image/jpeg");
    expect(third.status).toBe(413);
    expect(third.json.reason).toBe("tooMany");
    expect(third.json.error).toMatch(/paling banyak 2 berkas/);
  });

  it("the conversation's byte budget answers 413 with reason quota; a file over ATTACHMENT_MAX_BYTES tooLarge", async () => {
    const id = await evidenceStepOf(limited);
    expect((await uploadTo(limited, id, jpeg(100_000, 1), "a.jpg", "image/jpeg")).status).toBe(200);
    const over = await uploadTo(limited, id, jpeg(60_000, 2), "b.jpg", "image/jpeg");
    expect(over.status).toBe(413);
    expect(over.json.reason).toBe("quota");
    const large = await uploadTo(limited, id, jpeg(100_001, 3), "c.jpg", "image/jpeg");
    expect(large.status).toBe(413);
    expect(large.json.reason).toBe("tooLarge");
  });
});

describe("attachments", () => {
  const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

  const upload = (id: string, bytes: Uint8Array<ArrayBuffer>, name: string, type: string) => uploadTo(app, id, bytes, name, type);
  const atEvidenceStep = () => evidenceStepOf(app);

  it("stores an accepted photo as evidence of the complaint", async () => {
    const id = await atEvidenceStep();
    const res = await upload(id, new Uint8Array(png), "bukti.png", "image/png");
    expect(res.status).toBe(200);
    expect(res.json.replies!.map((r) => r.text).join(" ")).toMatch(/1/);
    for (const text of ["lewati", "ya"]) await call("POST", `/api/webchat/sessions/${id}/messages`, { text });
    const complaint = await app.db.prisma.complaint.findFirstOrThrow({ orderBy: { createdAt: "desc" }, include: { attachments: true } });
    expect(complaint.attachments).toHaveLength(1);
    expect(complaint.attachments[0]).toMatchObject({ mime: "image/png", size: png.byteLength, filename: "bukti.png" });
  });

  it("declines a file over the size limit politely (413) and the conversation continues", async () => {
    const id = await atEvidenceStep();
    const res = await upload(id, new Uint8Array(10 * 1024 * 1024 + 10), "besar.jpg", "image/jpeg");
    expect(res.status).toBe(413);
    expect(res.json.error).toMatch(/10 MB|terlalu besar|too large/i);
    expect(res.json.replies!.length).toBeGreaterThan(0);
    const next = await call("POST", `/api/webchat/sessions/${id}/messages`, { text: "lewati" });
    expect(next.status).toBe(200);
    expect((next.json.replies as { text: string }[]).map((r) => r.text).join(" ")).toMatch(/Ringkasan/);
    expect(await app.db.prisma.attachment.count({ where: { filename: "besar.jpg" } })).toBe(0);
  });

  it("declines a file type that is not allowed (415) and keeps the step", async () => {
    const id = await atEvidenceStep();
    const res = await upload(id, new Uint8Array(Buffer.from("MZ\u0090\u0000")), "virus.exe", "application/x-msdownload");
    expect(res.status).toBe(415);
    expect(typeof res.json.error).toBe("string");
    const next = await call("POST", `/api/webchat/sessions/${id}/messages`, { text: "lewati" });
    expect((next.json.replies as { text: string }[]).map((r) => r.text).join(" ")).toMatch(/Ringkasan/);
  });

  it("at the menu a file is not stored: 409 with the bot's explanation, nothing on disk, no row", async () => {
    const id = await newSession();
    const before = await app.db.prisma.attachment.count();
    for (let i = 0; i < 5; i++) {
      const res = await upload(id, new Uint8Array(SAMPLES.jpeg), `foto-${i}.jpg`, "image/jpeg");
      expect(res.status).toBe(409);
      expect(res.json).toMatchObject({ reason: "notNow" });
      expect(res.json.error).toMatch(/menulis aduan/);
    }
    expect(await app.db.prisma.attachment.count()).toBe(before);
    expect(filesOnDisk().some((f) => f.includes(sha256(SAMPLES.jpeg)))).toBe(false);
  });

  it.each([
    ["an executable declared image/jpeg (415)", HOSTILE.exe, "foto.jpg", "image/jpeg", 415, "type"],
    ["a web page declared image/png (415)", HOSTILE.html, "bukti.png", "image/png", 415, "type"],
    ["a zip declared application/pdf (415)", HOSTILE.zip, "surat.pdf", "application/pdf", 415, "type"],
    ["an empty file (400)", new Uint8Array(0), "kosong.jpg", "image/jpeg", 400, "empty"],
  ] as const)("refuses %s and keeps the step", async (_name, bytes, name, type, status, reason) => {
    const id = await atEvidenceStep();
    const res = await upload(id, new Uint8Array(bytes), name, type);
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ reason });
    const conversation = await app.db.prisma.conversation.findFirstOrThrow({ where: { chatId: webchatChatId(id) } });
    expect(await app.db.prisma.attachment.count({ where: { conversationId: conversation.id } })).toBe(0);
    const next = await call("POST", `/api/webchat/sessions/${id}/messages`, { text: "lewati" });
    expect((next.json.replies as { text: string }[]).map((r) => r.text).join(" ")).toMatch(/Ringkasan/);
  });

  it("stores a file under the type its bytes show, and a 70,000-character name cut to 100", async () => {
    const id = await atEvidenceStep();
    const res = await upload(id, new Uint8Array(SAMPLES.pdf), `${"a".repeat(70_000)}.png`, "image/png");
    expect(res.status).toBe(200);
    const conversation = await app.db.prisma.conversation.findFirstOrThrow({ where: { chatId: webchatChatId(id) } });
    const row = await app.db.prisma.attachment.findFirstOrThrow({ where: { conversationId: conversation.id } });
    expect(row).toMatchObject({ mime: "application/pdf", filename: `${"a".repeat(96)}.pdf` });
    const history = await call("GET", `/api/webchat/sessions/${id}/messages`);
    const mine = (history.json.messages as { from: string; text: string }[]).filter((m) => m.from === "citizen");
    expect(Math.max(...mine.map((m) => m.text.length))).toBeLessThan(200);
  });

  it("refuses a request that is not multipart (415)", async () => {
    const id = await newSession();
    const res = await call("POST", `/api/webchat/sessions/${id}/attachments`, { file: "x" });
    expect(res.status).toBe(415);
  });
});

describe("health", () => {
  it("answers 200 ok while the database answers", async () => {
    const res = await call("GET", "/health");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: "ok", database: "ok", channels: { webchat: "running" } });
    // A lone instance leads, and says who it is.
    const cluster = (res.json as { cluster: { instance: string; isLeader: boolean; leader: string; leaderSince: string } }).cluster;
    expect(cluster).toMatchObject({ isLeader: true, instance: `${hostname()}:${process.pid}`, leader: `${hostname()}:${process.pid}` });
    expect(Date.parse(cluster.leaderSince)).toBeGreaterThan(Date.now() - 120_000);
  });
});

describe("health when the database is gone", () => {
  it("answers 503 when the database does not answer, and logs it with the request's id", async () => {
    const { buildServer } = await import("../../src/http/index.js");
    const logged: [string, unknown][] = [];
    const server = await buildServer({
      pipeline: app.pipeline,
      conversations: { exists: async () => undefined, history: async () => ({ messages: [], cursor: "0" }), file: async () => undefined },
      databaseOk: async () => {
        throw new Error("SQLITE_CANTOPEN: unable to open database file");
      },
      channels: () => ({ webchat: "running" }),
      webchat: { publicDir: "/nonexistent", templatesDir: "/nonexistent", maxAttachmentBytes: 1024 },
      officeName: "x",
      defaultLocale: "id",
      log: (message, fields) => void logged.push([message, fields]),
    });
    const response = await server.inject({ method: "GET", url: "/health", headers: { "x-request-id": "proxy-7f3a" } });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: "unavailable", database: "unreachable" });
    // The proxy's request id comes back, and names the log line of the failed request.
    expect(response.headers["x-request-id"]).toBe("proxy-7f3a");
    expect(logged).toContainEqual([
      "request answered with an error",
      expect.objectContaining({ requestId: "proxy-7f3a", route: "/health", status: 503 }),
    ]);
    // Without one (or with a malformed one) the server makes one up.
    const own = await server.inject({ method: "GET", url: "/health", headers: { "x-request-id": "bad id\n" } });
    expect(own.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    await server.close();
  });
});

describe("metrics", () => {
  it("serves Prometheus text with messages, outbox, complaints and channels", async () => {
    const response = await fetch(`${app.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toMatch(/^# TYPE kanal_messages_total counter$/m);
    expect(text).toMatch(/^kanal_messages_total\{channel="webchat",direction="in"\} [1-9]\d*$/m);
    expect(text).toMatch(/^kanal_complaints_total\{kind="complaint"\} [1-9]\d*$/m);
    expect(text).toMatch(/^kanal_steps_overdue \d+$/m);
    expect(text).toMatch(/^kanal_channel_up\{channel="webchat",state="running"\} 1$/m);
    expect(text).toMatch(/^kanal_leader 1$/m);
  });
});
