/**
 * PostgreSQL "restarted" in the middle of web-chat traffic: every connection of the bot's database
 * is cut and new ones are refused for a few seconds (what a restart looks like to a client, without
 * disturbing the other test files sharing the server). Requests in flight complete or fail with
 * 503 — never a 500 — clients that retry finish their conversations, and no confirmed complaint is
 * lost or stored twice.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webchatChatId } from "../../src/db/index.js";
import { startApp, type TestApp } from "../helpers/app.js";
import { onPostgres } from "../helpers/database.js";
import { ANONYMOUS_INTAKE } from "../helpers/pipeline.js";
import { createPostgresDatabase } from "../helpers/postgres.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!onPostgres)("PostgreSQL restarted under traffic (npm run test:pg)", () => {
  let app: TestApp;
  let db: { url: string; drop(): Promise<void> };
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    const created = await createPostgresDatabase();
    if ("skip" in created) throw new Error(`npm run test:pg needs PostgreSQL: ${created.skip}`);
    db = created;
    // Thirty citizens from one address: a load the per-client limits would refuse (they have their own tests).
    app = await startApp({ env: { DATABASE_URL: db.url, LEADER_LEASE_SECONDS: "3", RATE_LIMIT: "off" } });
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  /** A request retried (with the same body, so the same clientMessageId) until it is answered 2xx. */
  async function until2xx(path: string, body: object): Promise<{ sessionId?: string }> {
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      try {
        const response = await fetch(`${app.url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        status = response.status;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status < 300) return (await response.json()) as { sessionId?: string };
        await response.body?.cancel();
      } catch {
        statuses.set(-1, (statuses.get(-1) ?? 0) + 1);
      }
      if (attempt > 200) throw new Error(`${path} still failing (${status})`);
      await sleep(100);
    }
  }

  async function citizen(): Promise<string> {
    const { sessionId } = await until2xx("/api/webchat/sessions", {});
    for (const text of ANONYMOUS_INTAKE) {
      await until2xx(`/api/webchat/sessions/${sessionId}/messages`, { text, clientMessageId: randomUUID() });
      await sleep(150);
    }
    return sessionId!;
  }

  it("answers 503 while the database is away, and every retried conversation completes once", async () => {
    const name = new URL(db.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: db.url.replace(/\/[^/]*$/, "/postgres") });
    await admin.connect();
    try {
      const citizens = Array.from({ length: 30 }, (_, i) => sleep(i * 40).then(citizen));
      await sleep(800);
      // The "restart": refuse new connections, end every existing one, come back after 3 s.
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
      await sleep(1000);
      const during = await fetch(`${app.url}/health`);
      expect(during.status).toBe(503);
      await sleep(2000);
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);

      const sessions = await Promise.all(citizens);
      expect(statuses.get(500) ?? 0).toBe(0);
      expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
      const complaints = await app.db.prisma.complaint.findMany({ select: { ticket: true, conversationId: true } });
      expect(complaints).toHaveLength(30);
      const conversations = await app.db.prisma.conversation.findMany({
        where: { id: { in: complaints.map((c) => c.conversationId) } },
        select: { chatId: true },
      });
      expect(new Set(conversations.map((c) => c.chatId))).toEqual(new Set(sessions.map(webchatChatId)));
      expect(new Set(complaints.map((c) => c.ticket)).size).toBe(30);
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
      // The lone instance leads again once its database is back.
      for (let i = 0; i < 50 && !app.election.isLeader(); i++) await sleep(200);
      expect(app.election.isLeader()).toBe(true);
      // No connection of the pool stays lost with the transaction it was in: shutdown ends the pool.
      const closed = await Promise.race([app.close().then(() => "closed"), sleep(20_000).then(() => "still waiting for the pool")]);
      expect(closed).toBe("closed");
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => undefined);
      await admin.end();
    }
  }, 120_000);
});
