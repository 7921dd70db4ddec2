/**
 * /metrics on a fresh office: every series is there from the first scrape, 0 when nothing was
 * counted (an alert on outbox depth or open complaints must not see "no data"), and each label set
 * once when there is something to count.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHANNEL_NAMES } from "../../src/core/index.js";
import { startApp, type TestApp } from "../helpers/app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.close();
});

const scrape = async () => {
  const response = await fetch(`${app.url}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
};

/** The sample lines of one metric: labels → value. */
function samples(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (!match) continue;
    const labels = match[1] ?? "";
    expect(found.has(labels), `${name}${labels} twice`).toBe(false);
    found.set(labels, Number(match[2]));
  }
  return found;
}

describe("/metrics", () => {
  it("shows every series on a fresh start, at 0", async () => {
    const text = await scrape();
    for (const name of ["kanal_outbox_depth", "kanal_outbox_oldest_age_seconds", "kanal_send_failures_total"]) {
      const series = samples(text, name);
      expect([...series.keys()].sort(), name).toEqual(CHANNEL_NAMES.map((c) => `{channel="${c}"}`).sort());
      expect(
        [...series.values()].every((v) => v === 0),
        name,
      ).toBe(true);
    }
    const messages = samples(text, "kanal_messages_total");
    expect(messages.size).toBe(CHANNEL_NAMES.length * 2);
    expect(messages.get('{channel="webchat",direction="in"}')).toBe(0);
    expect(messages.get('{channel="telegram",direction="out"}')).toBe(0);
    for (const name of ["kanal_complaints_open", "kanal_complaints_total"]) {
      expect(samples(text, name)).toEqual(
        new Map([
          ['{kind="complaint"}', 0],
          ['{kind="information"}', 0],
        ]),
      );
    }
    expect(samples(text, "kanal_steps_overdue")).toEqual(new Map([["", 0]]));
    // Each metric has its HELP and TYPE even when all its samples are 0.
    for (const name of ["kanal_outbox_depth", "kanal_complaints_open", "kanal_messages_total"])
      expect(text).toMatch(new RegExp(`^# TYPE ${name} (gauge|counter)$`, "m"));
  });

  it("counts what there is, once per label set, and keeps the zeros beside it", async () => {
    const session = (await (
      await fetch(`${app.url}/api/webchat/sessions`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } })
    ).json()) as {
      sessionId: string;
    };
    const say = (text: string) =>
      fetch(`${app.url}/api/webchat/sessions/${session.sessionId}/messages`, {
        method: "POST",
        body: JSON.stringify({ text }),
        headers: { "content-type": "application/json" },
      });
    for (const text of ["halo", "1", "anonim", "3", "Lampu jalan di depan kantor desa mati sejak seminggu yang lalu", "lewati", "ya"])
      expect((await say(text)).status).toBe(200);
    await app.db.prisma.outboxMessage.create({
      data: {
        id: "m-1",
        channel: "email",
        chatId: "warga@example.id",
        payload: '{"text":"x"}',
        status: "pending",
        nextAttemptAt: new Date(Date.now() + 3_600_000),
      },
    });
    const text = await scrape();
    expect(samples(text, "kanal_messages_total").get('{channel="webchat",direction="in"}')).toBe(7);
    expect(samples(text, "kanal_messages_total").get('{channel="email",direction="in"}')).toBe(0);
    expect(samples(text, "kanal_complaints_open")).toEqual(
      new Map([
        ['{kind="complaint"}', 1],
        ['{kind="information"}', 0],
      ]),
    );
    const depth = samples(text, "kanal_outbox_depth");
    expect(depth.size).toBe(CHANNEL_NAMES.length);
    expect(depth.get('{channel="email"}')).toBe(1);
    expect(depth.get('{channel="telegram"}')).toBe(0);
  });
});
