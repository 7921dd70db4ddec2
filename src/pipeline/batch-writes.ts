import type { DbProvider, SqlRunner } from "../db/index.js";

/**
 * The rows one batch writes, flushed as one INSERT per table in foreign-key order. Each INSERT
 * carries all its rows as ONE JSON parameter that the database unpacks itself (SQLite json_each,
 * PostgreSQL json_array_elements): Prisma's cost is per statement and per parameter, so a batch
 * of 200 steps costs a handful of statements with one parameter each.
 */
type Row = readonly unknown[];
type ColumnType = "text" | "int" | "bool" | "timestamp";
type Column = readonly [name: string, type: ColumnType];

interface TableSpec {
  table: string;
  columns: readonly Column[];
  /** Appended to the INSERT (e.g. the upsert clause). */
  suffix?: string;
}

const TABLES = {
  conversation: {
    table: "Conversation",
    columns: [
      ["id", "text"],
      ["channel", "text"],
      ["chatId", "text"],
      ["senderId", "text"],
      ["locale", "text"],
      ["step", "text"],
      ["state", "text"],
      ["complaintId", "text"],
      ["lastInboundAt", "timestamp"],
      ["createdAt", "timestamp"],
      ["updatedAt", "timestamp"],
    ],
    suffix: `ON CONFLICT ("channel", "chatId") DO UPDATE SET "senderId" = excluded."senderId", "locale" = excluded."locale",
      "step" = excluded."step", "state" = excluded."state", "complaintId" = excluded."complaintId",
      "lastInboundAt" = excluded."lastInboundAt", "updatedAt" = excluded."updatedAt"`,
  },
  complainant: {
    table: "Complainant",
    columns: [
      ["id", "text"],
      ["name", "text"],
      ["anonymous", "bool"],
      ["email", "text"],
      ["phone", "text"],
      ["address", "text"],
      ["createdAt", "timestamp"],
      ["updatedAt", "timestamp"],
    ],
  },
  identity: {
    table: "ChannelIdentity",
    columns: [
      ["id", "text"],
      ["channel", "text"],
      ["externalId", "text"],
      ["displayName", "text"],
      ["complainantId", "text"],
      ["createdAt", "timestamp"],
    ],
  },
  complaint: {
    table: "Complaint",
    columns: [
      ["id", "text"],
      ["ticket", "text"],
      ["year", "int"],
      ["seq", "int"],
      ["kind", "text"],
      ["category", "text"],
      ["text", "text"],
      ["channel", "text"],
      ["status", "text"],
      ["sopStep", "text"],
      ["stepStartedAt", "timestamp"],
      ["stepDueAt", "timestamp"],
      ["complainantId", "text"],
      ["conversationId", "text"],
      ["receivedAt", "timestamp"],
      ["createdAt", "timestamp"],
      ["updatedAt", "timestamp"],
    ],
  },
  event: {
    table: "ComplaintEvent",
    columns: [
      ["id", "text"],
      ["complaintId", "text"],
      ["type", "text"],
      ["actor", "text"],
      ["data", "text"],
      ["createdAt", "timestamp"],
    ],
  },
  attachment: {
    table: "Attachment",
    columns: [
      ["id", "text"],
      ["conversationId", "text"],
      ["complaintId", "text"],
      ["sha256", "text"],
      ["mime", "text"],
      ["size", "int"],
      ["filename", "text"],
      ["storagePath", "text"],
      ["createdAt", "timestamp"],
    ],
  },
  message: {
    table: "Message",
    columns: [
      ["conversationId", "text"],
      ["channel", "text"],
      ["providerMessageId", "text"],
      ["direction", "text"],
      ["author", "text"],
      ["text", "text"],
      ["options", "text"],
      ["complaintId", "text"],
      ["replyToProviderId", "text"],
      ["createdAt", "timestamp"],
    ],
  },
  outbox: {
    table: "OutboxMessage",
    columns: [
      ["id", "text"],
      ["channel", "text"],
      ["chatId", "text"],
      ["conversationId", "text"],
      ["complaintId", "text"],
      ["kind", "text"],
      ["payload", "text"],
      ["status", "text"],
      ["attempts", "int"],
      ["nextAttemptAt", "timestamp"],
      ["createdAt", "timestamp"],
      ["updatedAt", "timestamp"],
    ],
  },
} as const satisfies Record<string, TableSpec>;

export type TableName = keyof typeof TABLES;

/** Foreign keys point backwards in this list. */
const FLUSH_ORDER: readonly TableName[] = [
  "conversation",
  "complainant",
  "identity",
  "complaint",
  "event",
  "attachment",
  "message",
  "outbox",
];

/** Timestamps as the SQLite driver adapter stores them (its default "iso8601" format), so Prisma reads them back. */
function sqliteTimestamp(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}

function encode(value: unknown, type: ColumnType, provider: DbProvider): unknown {
  if (value === null || value === undefined) return null;
  if (type === "timestamp") return provider === "sqlite" ? sqliteTimestamp(value as Date) : (value as Date).toISOString();
  if (type === "bool") return provider === "sqlite" ? (value ? 1 : 0) : Boolean(value);
  return value;
}

function selectList(spec: TableSpec, provider: DbProvider): string {
  if (provider === "sqlite") {
    return spec.columns.map((_, i) => `json_extract(r.value, '$[${i}]')`).join(", ");
  }
  const cast: Record<ColumnType, string> = { text: "text", int: "integer", bool: "boolean", timestamp: "timestamp(3)" };
  return spec.columns.map(([, type], i) => `(r.value->>${i})::${cast[type]}`).join(", ");
}

function insertSql(spec: TableSpec, provider: DbProvider): string {
  const columns = spec.columns.map(([name]) => `"${name}"`).join(", ");
  const from = provider === "sqlite" ? "json_each(?) AS r" : "json_array_elements(?::json) AS r(value)";
  // "WHERE true": SQLite would otherwise read ON CONFLICT as a join constraint of the SELECT.
  return `INSERT INTO "${spec.table}" (${columns}) SELECT ${selectList(spec, provider)} FROM ${from} WHERE true ${spec.suffix ?? ""}`;
}

export class BatchWrites {
  private readonly rows = new Map<TableName, Row[]>();

  add(table: TableName, row: Row): void {
    if (row.length !== TABLES[table].columns.length) {
      throw new Error(`${table}: expected ${TABLES[table].columns.length} values, got ${row.length}`);
    }
    let list = this.rows.get(table);
    if (!list) this.rows.set(table, (list = []));
    list.push(row);
  }

  count(table: TableName): number {
    return this.rows.get(table)?.length ?? 0;
  }

  async flush(sql: SqlRunner): Promise<void> {
    for (const name of FLUSH_ORDER) {
      const rows = this.rows.get(name);
      if (!rows || rows.length === 0) continue;
      const spec: TableSpec = TABLES[name];
      const json = JSON.stringify(rows.map((row) => row.map((value, i) => encode(value, spec.columns[i]![1], sql.provider))));
      await sql.execute(insertSql(spec, sql.provider), [json]);
    }
  }
}
