import { CHANNEL_NAMES } from "../core/index.js";
import type { Database } from "./client.js";

const DIRECTIONS = ["in", "out"] as const;
const KINDS = ["complaint", "information"] as const;

/**
 * The numbers an operator watches, read from the database at scrape time so every instance
 * reports the same office-wide figures (nothing kept in one process's memory). Every series is
 * always there, 0 when nothing was counted: a series that appears only once it is non-zero breaks
 * alerts and rates (`absent()`, `rate()` over its first sample) on a fresh office.
 */
export async function collectMetrics(db: Database, now: Date, channelStates: Record<string, string>, isLeader?: boolean): Promise<string> {
  const [messages, outbox, oldest, complaints, overdue, failedInbound] = await Promise.all([
    db.prisma.message.groupBy({ by: ["channel", "direction"], _count: { _all: true } }),
    db.prisma.outboxMessage.groupBy({ by: ["channel", "status"], _count: { _all: true } }),
    db.prisma.outboxMessage.groupBy({ by: ["channel"], where: { status: { in: ["pending", "sending"] } }, _min: { createdAt: true } }),
    db.prisma.complaint.groupBy({ by: ["kind", "status"], _count: { _all: true } }),
    db.prisma.complaint.count({ where: { status: { not: "closed" }, stepDueAt: { lt: now } } }),
    db.prisma.failedInbound.groupBy({ by: ["channel"], _count: { _all: true } }),
  ]);
  const lines: string[] = [];
  const perChannel = CHANNEL_NAMES.map((channel) => ({ channel }));
  const perKind = KINDS.map((kind) => ({ kind }));
  const metric = (name: string, type: "counter" | "gauge", help: string, samples: [Record<string, string>, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const text = Object.entries(labels)
        .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`)
        .join(",");
      lines.push(`${name}${text ? `{${text}}` : ""} ${value}`);
    }
  };
  metric(
    "kanal_messages_total",
    "counter",
    "Messages stored, per channel and direction (in = from citizens).",
    complete(
      messages.map((m) => [{ channel: m.channel, direction: m.direction }, m._count._all]),
      CHANNEL_NAMES.flatMap((channel) => DIRECTIONS.map((direction) => ({ channel, direction }))),
    ),
  );
  metric(
    "kanal_inbound_failed_total",
    "counter",
    "Inbound messages that could not be processed because of what they held (the rest of their batch went on), per channel.",
    failedInbound.map((f) => [{ channel: f.channel }, f._count._all]),
  );
  const depth = outbox.filter((o) => o.status === "pending" || o.status === "sending");
  metric(
    "kanal_outbox_depth",
    "gauge",
    "Outgoing messages not yet delivered, per channel.",
    complete(
      sumBy(
        depth,
        (o) => o.channel,
        (o) => o._count._all,
      ),
      perChannel,
    ),
  );
  metric(
    "kanal_outbox_oldest_age_seconds",
    "gauge",
    "Age of the oldest undelivered outgoing message, per channel.",
    complete(
      oldest.map((o) => [
        { channel: o.channel },
        o._min.createdAt ? Math.max(0, Math.round((now.getTime() - o._min.createdAt.getTime()) / 1000)) : 0,
      ]),
      perChannel,
    ),
  );
  metric(
    "kanal_send_failures_total",
    "counter",
    "Outgoing messages that failed for good, per channel.",
    complete(
      sumBy(
        outbox.filter((o) => o.status === "failed"),
        (o) => o.channel,
        (o) => o._count._all,
      ),
      perChannel,
    ),
  );
  metric(
    "kanal_complaints_open",
    "gauge",
    "Complaints and information requests not closed.",
    complete(
      sumBy(
        complaints.filter((c) => c.status !== "closed"),
        (c) => c.kind,
        (c) => c._count._all,
        "kind",
      ),
      perKind,
    ),
  );
  metric(
    "kanal_complaints_total",
    "counter",
    "Complaints and information requests received.",
    complete(
      sumBy(
        complaints,
        (c) => c.kind,
        (c) => c._count._all,
        "kind",
      ),
      perKind,
    ),
  );
  metric("kanal_steps_overdue", "gauge", "Open complaints whose SOP step is past its time standard.", [[{}, overdue]]);
  metric(
    "kanal_channel_up",
    "gauge",
    "1 when the channel runs (webhook, running, watching, connected), else 0.",
    Object.entries(channelStates).map(([channel, state]) => [
      { channel, state },
      /^(running|webhook|watching|connected)$/.test(state) ? 1 : 0,
    ]),
  );
  if (isLeader !== undefined)
    metric("kanal_leader", "gauge", "1 on the instance that runs the once-per-office connections, 0 on the others.", [
      [{}, isLeader ? 1 : 0],
    ]);
  return lines.join("\n") + "\n";
}

type Sample = [Record<string, string>, number];

/** The counted samples, plus a 0 for every expected label set that was not counted. */
function complete(counted: Sample[], expected: readonly Record<string, string>[]): Sample[] {
  const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());
  const seen = new Set(counted.map(([labels]) => key(labels)));
  return [...counted, ...expected.filter((labels) => !seen.has(key(labels))).map((labels): Sample => [labels, 0])];
}

function sumBy<T>(rows: T[], key: (row: T) => string, value: (row: T) => number, label = "channel"): [Record<string, string>, number][] {
  const totals = new Map<string, number>();
  for (const row of rows) totals.set(key(row), (totals.get(key(row)) ?? 0) + value(row));
  return [...totals].map(([k, v]) => [{ [label]: k }, v]);
}
