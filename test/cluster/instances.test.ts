/**
 * Several `npm start` processes on one PostgreSQL database with Telegram in long-polling mode
 * (against the fake Bot API): one leader polls, any instance serves the web chat, the leader's
 * death hands polling to another within the lease, and nothing is missed or sent twice.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMigrations } from "../../src/db/index.js";
import { onPostgres } from "../helpers/database.js";
import { ANONYMOUS_INTAKE, TICKET } from "../helpers/pipeline.js";
import { createPostgresDatabase } from "../helpers/postgres.js";
import { startBotProcess, type BotProcess } from "../helpers/process.js";
import { privateText, startFakeBotApi, type FakeBotApi } from "../fakes/telegram-bot-api.js";

const OPS = "-1001555000222";
const STAFF = 111;

interface Health {
  cluster: { instance: string; isLeader: boolean; leader?: string };
  channels: Record<string, string>;
}

const health = async (bot: BotProcess) => (await (await fetch(`${bot.url}/health`)).json()) as Health;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

async function webchatComplaint(bot: BotProcess): Promise<string> {
  const post = async (path: string, body: object) => {
    const response = await fetch(`${bot.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return (await response.json()) as { sessionId?: string; replies: { text: string }[] };
  };
  const { sessionId } = await post("/api/webchat/sessions", {});
  let last = "";
  for (const text of ANONYMOUS_INTAKE)
    last = (await post(`/api/webchat/sessions/${sessionId}/messages`, { text })).replies.map((r) => r.text).join("\n");
  return TICKET.exec(last)![0];
}

describe.skipIf(!onPostgres)("several instances on one PostgreSQL (npm run test:pg)", () => {
  let api: FakeBotApi;
  let db: { url: string; drop(): Promise<void> };
  const dir = mkdtempSync(join(tmpdir(), "kanal-instances-"));
  const bots: BotProcess[] = [];
  let messageId = 5000;

  const env = () => ({
    DATABASE_URL: db.url,
    PORT: "0",
    ATTACHMENTS_DIR: join(dir, "attachments"),
    TELEGRAM_BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: api.url,
    TELEGRAM_OPS_CHAT_ID: OPS,
    STAFF_TELEGRAM_IDS: String(STAFF),
    LEADER_LEASE_SECONDS: "3",
  });

  const citizenSays = (citizen: number, text: string) => api.pushUpdate({ message: privateText(citizen, ++messageId, text) });
  const receipts = (citizen: number) =>
    api
      .sent(citizen)
      .map((m) => m.text ?? "")
      .filter((t) => TICKET.test(t) && /tiket/i.test(t));
  const cards = (ticket: string) => api.sent(OPS).filter((m) => m.text?.includes(ticket) && m.replyMarkup);

  beforeAll(async () => {
    api = await startFakeBotApi();
    const created = await createPostgresDatabase();
    if ("skip" in created) throw new Error(`npm run test:pg needs PostgreSQL: ${created.skip}`);
    db = created;
  });

  afterAll(async () => {
    for (const bot of bots) bot.child.kill("SIGKILL");
    await Promise.all(bots.map((b) => b.exited));
    await api?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("two instances started together migrate once and elect one leader; the other stands by", async () => {
    bots.push(...(await Promise.all([startBotProcess(env(), 60_000), startBotProcess(env(), 60_000)])));
    const states = await eventually(
      async () => {
        const all = await Promise.all(bots.map(health));
        return all.filter((h) => h.cluster.isLeader).length === 1 ? all : undefined;
      },
      20_000,
      "one leader",
    );
    const leader = states.find((h) => h.cluster.isLeader)!;
    const follower = states.find((h) => !h.cluster.isLeader)!;
    expect(leader.channels.telegram).toBe("running");
    expect(follower.channels.telegram).toBe("standby");
    expect(follower.cluster.leader).toBe(leader.cluster.instance);
    // Both ran the migration step; the advisory lock let one apply each migration and the other find it done.
    expect(bots.map((b) => b.output()).join("\n")).not.toMatch(/migration .* failed/);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ migration_name: string; n: string }>(
      `SELECT migration_name, COUNT(*) AS n FROM "_prisma_migrations" GROUP BY migration_name`,
    );
    await client.end();
    expect(rows.map((r) => r.migration_name).sort()).toEqual(
      listMigrations("postgresql")
        .map((m) => m.name)
        .sort(),
    );
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
  }, 90_000);

  it("files over Telegram through the leader and over the web chat through the follower; each card is sent once", async () => {
    const states = await Promise.all(bots.map(health));
    const follower = bots[states.findIndex((h) => !h.cluster.isLeader)]!;
    for (const text of ["halo", ...ANONYMOUS_INTAKE]) citizenSays(700201, text);
    const webTicket = await webchatComplaint(follower);
    const receipt = await api.until(() => receipts(700201)[0], 60_000, "the Telegram receipt");
    const telegramTicket = TICKET.exec(receipt)![0];
    await api.until(() => cards(webTicket).length > 0 && cards(telegramTicket).length > 0, 30_000, "both cards");
    await sleep(1500);
    expect(cards(webTicket)).toHaveLength(1);
    expect(cards(telegramTicket)).toHaveLength(1);
    expect(receipts(700201)).toHaveLength(1);
  }, 120_000);

  it("the leader killed mid-conversation: another instance takes over polling within the lease, nothing is lost, and only a message in flight can arrive twice", async () => {
    const states = await Promise.all(bots.map(health));
    const leaderIndex = states.findIndex((h) => h.cluster.isLeader);
    const leader = bots[leaderIndex]!;
    const survivor = bots[1 - leaderIndex]!;
    const citizen = 700202;
    for (const text of ["halo", ...ANONYMOUS_INTAKE.slice(0, 3)]) citizenSays(citizen, text);
    await api.until(() => api.sent(citizen).length >= 3, 30_000, "the first answers");

    leader.child.kill("SIGKILL");
    const killedAt = Date.now();
    for (const text of ANONYMOUS_INTAKE.slice(3)) citizenSays(citizen, text);
    await eventually(async () => ((await health(survivor)).cluster.isLeader ? true : undefined), 30_000, "the survivor leads");
    const tookOverMs = Date.now() - killedAt;
    expect(tookOverMs).toBeLessThan(30_000);

    const receipt = await api
      .until(() => receipts(citizen)[0], 60_000, "the receipt after the takeover")
      .catch((error: Error) => {
        throw new Error(
          `${error.message}\nsent: ${JSON.stringify(api.sent(citizen).map((m) => m.text))}\npending: ${api.updates.pending().length}\nsurvivor:\n${survivor.output().slice(-4000)}`,
        );
      });
    const ticket = TICKET.exec(receipt)![0];
    await api.until(() => cards(ticket).length > 0, 30_000, "the card from the new leader");
    await sleep(2000);
    expect(receipts(citizen)).toHaveLength(1);
    expect(cards(ticket)).toHaveLength(1);
    // Every update the fake handed out was confirmed, none is left for a poller.
    await api.until(() => api.updates.pending().length === 0, 10_000, "every update confirmed");
    // Every answer reached the citizen; delivery is at least once, so the one message the leader
    // may have been sending when it died can arrive twice, and no other.
    const texts = api.sent(citizen).map((m) => m.text ?? "");
    expect(texts.length - new Set(texts).size).toBeLessThanOrEqual(1);
    for (const prompt of [/buat aduan baru/i, /nama/i, /kategori/i, /ringkasan|periksa/i])
      expect(
        texts.some((t) => prompt.test(t)),
        String(prompt),
      ).toBe(true);
  }, 150_000);
});
