import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isWebchatChatId, newOrderedSecret, webchatChatId } from "../../src/db/index.js";
import { startApp, type TestApp } from "../helpers/app.js";
import { dropTestDatabases, testDatabaseUrl } from "../helpers/database.js";
import { textMessage } from "../helpers/pipeline.js";

async function post(app: TestApp, path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${app.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Every text column of the tables a session id could be written to, as a dump shows them. */
async function dump(app: TestApp): Promise<string> {
  const parts: string[] = [];
  for (const table of ["Conversation", "Message", "ChannelIdentity", "Complaint", "OutboxMessage", "Attachment"]) {
    parts.push(JSON.stringify(await app.db.sql.query(`SELECT * FROM "${table}"`)));
  }
  return parts.join("\n");
}

async function history(app: TestApp, session: string): Promise<{ status: number; texts: string[] }> {
  const res = await fetch(`${app.url}/api/webchat/sessions/${session}/messages`);
  if (res.status !== 200) return { status: res.status, texts: [] };
  const body = (await res.json()) as { messages: { text: string }[] };
  return { status: 200, texts: body.messages.map((m) => m.text) };
}

describe("web-chat session ids at rest", () => {
  it("keeps only the id's hash: a dump names no session, and the session works as before", async () => {
    const app = await startApp();
    try {
      const opened = await post(app, "/api/webchat/sessions", {});
      expect(opened.status).toBe(201);
      const session = opened.json.sessionId as string;
      expect(session).toMatch(/^[A-Za-z0-9_-]{37}$/);
      expect((await post(app, `/api/webchat/sessions/${session}/messages`, { text: "1", clientMessageId: "c-1" })).status).toBe(200);
      expect((await post(app, `/api/webchat/sessions/${session}/messages`, { text: "1", clientMessageId: "c-1" })).status).toBe(200);

      const stored = await dump(app);
      expect(stored).not.toContain(session);
      // Nor any long piece of it: the time prefix is all that is kept in clear.
      expect(stored).not.toContain(session.slice(13, 33));
      // An id from before ids had a time prefix (random from its first character) keeps nothing in clear.
      expect(webchatChatId("Xq3_7-Yh2KpQ0bN8vW1aZ4mT6cR9sD5e")).toMatch(/^\.[A-Za-z0-9_-]{43}$/);
      const [conversation] = await app.db.sql.query<{ chatId: string; senderId: string }>(
        `SELECT "chatId", "senderId" FROM "Conversation"`,
      );
      expect(conversation).toEqual({ chatId: webchatChatId(session), senderId: webchatChatId(session) });
      expect(isWebchatChatId(conversation!.chatId)).toBe(true);
      expect(conversation!.chatId.startsWith(session.slice(0, 13))).toBe(true);

      // The retry was answered once; the page still reads its conversation by the id it holds.
      const seen = await history(app, session);
      expect(seen.status).toBe(200);
      expect(seen.texts.filter((text) => text === "1")).toHaveLength(1);
      // The stored form is no session id: the route refuses it as one.
      expect((await history(app, conversation!.chatId)).status).toBe(404);
      expect((await post(app, `/api/webchat/sessions/${session.slice(0, -1)}x/messages`, { text: "halo" })).status).toBe(404);
    } finally {
      await app.close();
    }
  });

  it("hashes the sessions of a database from before, once, and they go on where they were", async () => {
    // One database for the instance before the upgrade and the one after (a close must not drop it).
    const dir = mkdtempSync(join(tmpdir(), "kanal-session-"));
    const databaseUrl = await testDatabaseUrl(dir);
    let app: TestApp | undefined = await startApp({ env: { DATABASE_URL: databaseUrl }, dir });
    try {
      // Rows as the earlier version wrote them: the session id itself as the chat id and at the
      // head of its messages' ids.
      const old = newOrderedSecret(18);
      await app.pipeline.open("webchat", "id", old);
      await app.pipeline.receive(textMessage(old, "1", { providerMessageId: `${old}:c-1` }));
      // A second one, cut off halfway by a crash in an earlier pass: its messages already converted.
      const half = newOrderedSecret(18);
      await app.pipeline.open("webchat", "id", half);
      await app.pipeline.receive(textMessage(half, "1", { providerMessageId: `${half}:c-1` }));
      await app.db.sql.execute(`UPDATE "Message" SET "providerMessageId" = ? WHERE "providerMessageId" = ?`, [
        `${webchatChatId(half)}:c-1`,
        `${half}:c-1`,
      ]);
      await app.db.sql.execute(`DELETE FROM "ChannelState" WHERE "key" = ?`, ["privacy:webchat-session-hashed:v1"]);
      expect(await dump(app)).toContain(old);
      await app.close();

      app = await startApp({ env: { DATABASE_URL: databaseUrl }, dir });
      const stored = await dump(app);
      for (const session of [old, half]) expect(stored).not.toContain(session);
      const ids = await app.db.sql.query<{ providerMessageId: string | null; replyToProviderId: string | null }>(
        `SELECT "providerMessageId", "replyToProviderId" FROM "Message"`,
      );
      const inbound = new Set(ids.map((m) => m.providerMessageId).filter((id) => id !== null));
      const answered = new Set(ids.map((m) => m.replyToProviderId).filter((id) => id !== null));
      expect(inbound).toEqual(new Set([`${webchatChatId(old)}:c-1`, `${webchatChatId(half)}:c-1`]));
      for (const session of [old, half]) {
        // The greeting answers the opening; the next answer the first message.
        expect(answered).toContain(`open:${webchatChatId(session)}`);
        expect(answered).toContain(`${webchatChatId(session)}:c-1`);
      }
      for (const session of [old, half]) {
        // The page's retry of the message before the upgrade is still the same message.
        expect((await post(app, `/api/webchat/sessions/${session}/messages`, { text: "1", clientMessageId: "c-1" })).status).toBe(200);
        const next = await post(app, `/api/webchat/sessions/${session}/messages`, { text: "anonim" });
        expect(next.status).toBe(200);
        const seen = await history(app, session);
        expect(seen.texts.filter((text) => text === "1")).toHaveLength(1);
        expect(seen.texts).toContain("anonim");
      }
      // Once per database: a later start finds nothing to do, and sessions made since are untouched.
      const opened = await post(app, "/api/webchat/sessions", {});
      const fresh = opened.json.sessionId as string;
      await app.close();
      app = await startApp({ env: { DATABASE_URL: databaseUrl }, dir });
      expect((await history(app, fresh)).status).toBe(200);
      expect((await history(app, old)).status).toBe(200);
    } finally {
      await app?.close();
      await dropTestDatabases();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
