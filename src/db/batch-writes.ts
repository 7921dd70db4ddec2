import type {
  AttachmentModel,
  ChannelIdentityModel,
  ComplainantModel,
  ComplaintEventModel,
  ComplaintModel,
  ConversationModel,
  MessageModel,
  OutboxMessageModel,
} from "./generated/sqlite/models.js";
import type { DbProvider } from "./provider.js";
import { planStable, type SqlRunner } from "./sql.js";
import { isoTimestamp } from "./timestamp.js";

/**
 * The rows one batch writes, flushed as one INSERT per table in foreign-key order. Each INSERT
 * carries all its rows as ONE JSON parameter that the database unpacks itself (SQLite json_each,
 * PostgreSQL jsonb_array_elements): Prisma's cost is per statement and per parameter, so a batch
 * of 200 steps costs a handful of statements with one parameter each. On PostgreSQL the parameter
 * is read as jsonb, parsed once: as `json` (text) every `->>` re-read its row's text up to the
 * column, sealed values and all, and that lexing was a sixth of PostgreSQL's CPU in the benchmark.
 *
 * Each table is described once below (column → SQL type); a row is an object with exactly those
 * columns, typed as the Prisma model types them (nullability included), so a missing, extra or
 * mistyped column does not compile, and a description that drifts from prisma/models.prisma.part
 * does not either. On the wire a row is a JSON array in the description's column order (shorter
 * to write and to unpack than an object).
 */
type SqlType = "text" | "int" | "bool" | "timestamp";

/** The SQL type a model field is written as; nullability comes from the model itself. */
type SqlTypeOf<V> = [NonNullable<V>] extends [string]
  ? "text"
  : [NonNullable<V>] extends [number]
    ? "int"
    : [NonNullable<V>] extends [boolean]
      ? "bool"
      : [NonNullable<V>] extends [Date]
        ? "timestamp"
        : never;

interface TableSpec<Model> {
  table: string;
  /** The columns the batch writes (the others keep their defaults), in the order the JSON rows carry them. */
  columns: { readonly [K in keyof Model]?: SqlTypeOf<Model[K]> };
  /** Appended to the INSERT (e.g. the upsert clause). */
  suffix?: string;
}

/** The Prisma model behind each table the batch writes. */
interface Models {
  conversation: ConversationModel;
  complainant: ComplainantModel;
  identity: ChannelIdentityModel;
  complaint: ComplaintModel;
  event: ComplaintEventModel;
  attachment: AttachmentModel;
  message: MessageModel;
  outbox: OutboxMessageModel;
}

const TABLES = {
  conversation: {
    table: "Conversation",
    columns: {
      id: "text",
      channel: "text",
      chatId: "text",
      senderId: "text",
      locale: "text",
      step: "text",
      state: "text",
      complaintId: "text",
      lastInboundAt: "timestamp",
      createdAt: "timestamp",
      updatedAt: "timestamp",
    },
    suffix: `ON CONFLICT ("channel", "chatId") DO UPDATE SET "senderId" = excluded."senderId", "locale" = excluded."locale",
      "step" = excluded."step", "state" = excluded."state", "complaintId" = excluded."complaintId",
      "lastInboundAt" = excluded."lastInboundAt", "updatedAt" = excluded."updatedAt"`,
  },
  complainant: {
    table: "Complainant",
    columns: {
      id: "text",
      name: "text",
      anonymous: "bool",
      email: "text",
      phone: "text",
      address: "text",
      createdAt: "timestamp",
      updatedAt: "timestamp",
    },
  },
  identity: {
    table: "ChannelIdentity",
    columns: {
      id: "text",
      channel: "text",
      externalId: "text",
      displayName: "text",
      complainantId: "text",
      createdAt: "timestamp",
      externalIdSealed: "text",
    },
  },
  complaint: {
    table: "Complaint",
    columns: {
      id: "text",
      ticket: "text",
      year: "int",
      seq: "int",
      kind: "text",
      category: "text",
      text: "text",
      channel: "text",
      status: "text",
      sopStep: "text",
      stepStartedAt: "timestamp",
      stepDueAt: "timestamp",
      complainantId: "text",
      conversationId: "text",
      trackingHash: "text",
      receivedAt: "timestamp",
      createdAt: "timestamp",
      updatedAt: "timestamp",
    },
  },
  event: {
    table: "ComplaintEvent",
    columns: {
      id: "text",
      complaintId: "text",
      type: "text",
      actor: "text",
      data: "text",
      createdAt: "timestamp",
    },
  },
  attachment: {
    table: "Attachment",
    columns: {
      id: "text",
      conversationId: "text",
      complaintId: "text",
      sha256: "text",
      mime: "text",
      size: "int",
      filename: "text",
      storagePath: "text",
      createdAt: "timestamp",
    },
  },
  message: {
    table: "Message",
    columns: {
      conversationId: "text",
      channel: "text",
      providerMessageId: "text",
      direction: "text",
      author: "text",
      text: "text",
      options: "text",
      complaintId: "text",
      replyToProviderId: "text",
      createdAt: "timestamp",
    },
  },
  outbox: {
    table: "OutboxMessage",
    columns: {
      id: "text",
      channel: "text",
      chatId: "text",
      conversationId: "text",
      complaintId: "text",
      kind: "text",
      payload: "text",
      status: "text",
      attempts: "int",
      nextAttemptAt: "timestamp",
      createdAt: "timestamp",
      updatedAt: "timestamp",
    },
  },
} as const satisfies { [T in keyof Models]: TableSpec<Models[T]> };

export type BatchTable = keyof typeof TABLES;

/** One row of a table: exactly the described columns, each typed as the Prisma model types it. */
export type BatchRow<T extends BatchTable> = {
  [K in keyof (typeof TABLES)[T]["columns"] & keyof Models[T]]: Models[T][K];
};

/** Foreign keys point backwards in this list. */
const FLUSH_ORDER: readonly BatchTable[] = [
  "conversation",
  "complainant",
  "identity",
  "complaint",
  "event",
  "attachment",
  "message",
  "outbox",
];

type Column = readonly [name: string, type: SqlType];

/** A table's columns in the description's order. */
function columnsOf(table: BatchTable): readonly Column[] {
  return Object.entries(TABLES[table].columns);
}

function encode(value: unknown, type: SqlType, provider: DbProvider): unknown {
  if (value === null || value === undefined) return null;
  // As the SQLite driver adapter stores timestamps (its default "iso8601" format), so Prisma reads them back.
  if (type === "timestamp") return isoTimestamp(value as Date, provider === "sqlite" ? "+00:00" : "Z");
  if (type === "bool") return provider === "sqlite" ? (value ? 1 : 0) : Boolean(value);
  return value;
}

function selectList(columns: readonly Column[], provider: DbProvider): string {
  if (provider === "sqlite") {
    return columns.map((_, i) => `json_extract(r.value, '$[${i}]')`).join(", ");
  }
  const cast: Record<SqlType, string> = { text: "text", int: "integer", bool: "boolean", timestamp: "timestamp(3)" };
  return columns.map(([, type], i) => `(r.value->>${i})::${cast[type]}`).join(", ");
}

function insertSql(table: BatchTable, provider: DbProvider): string {
  const spec: { table: string; suffix?: string } = TABLES[table];
  const columns = columnsOf(table);
  const names = columns.map(([name]) => `"${name}"`).join(", ");
  const from = provider === "sqlite" ? "json_each(?) AS r" : "jsonb_array_elements(?::jsonb) AS r(value)";
  // "WHERE true": SQLite would otherwise read ON CONFLICT as a join constraint of the SELECT.
  return `INSERT INTO "${spec.table}" (${names}) SELECT ${selectList(columns, provider)} FROM ${from} WHERE true ${spec.suffix ?? ""}`;
}

/** The one-row INSERT a runner with executeEach runs once per row (a prepared statement: no JSON to unpack). */
function rowInsertSql(table: BatchTable): string {
  const spec: { table: string; suffix?: string } = TABLES[table];
  const columns = columnsOf(table);
  const names = columns.map(([name]) => `"${name}"`).join(", ");
  return `INSERT INTO "${spec.table}" (${names}) VALUES (${columns.map(() => "?").join(", ")}) ${spec.suffix ?? ""}`;
}

const insertSqlCache = new Map<string, string>();

function cachedInsertSql(table: BatchTable, provider: DbProvider, perRow: boolean): string {
  const key = `${provider}:${table}:${perRow}`;
  let sql = insertSqlCache.get(key);
  if (sql === undefined) insertSqlCache.set(key, (sql = perRow ? rowInsertSql(table) : insertSql(table, provider)));
  return sql;
}

/**
 * PostgreSQL: every table's INSERT in ONE statement, each but the last a data-modifying WITH
 * clause — one round trip for the whole batch instead of one per table, which is most of a small
 * batch's cost when several instances each write small batches. The foreign keys still hold: they
 * are checked at the end of the statement, when every clause has run.
 */
function combinedInsertSql(tables: readonly BatchTable[]): string {
  const key = `postgresql:combined:${tables.join(",")}`;
  let sql = insertSqlCache.get(key);
  if (sql === undefined) {
    const clauses = tables.slice(0, -1).map((table, i) => `w${i} AS (${insertSql(table, "postgresql")})`);
    const last = insertSql(tables.at(-1)!, "postgresql");
    // Plan-stable: each clause inserts what a JSON parameter unpacks to (a function scan), and
    // the upserts find their conflicts through the unique index whatever the table holds.
    insertSqlCache.set(key, (sql = planStable(clauses.length > 0 ? `WITH ${clauses.join(", ")} ${last}` : last)));
  }
  return sql;
}

export class BatchWrites {
  private readonly rows = new Map<BatchTable, readonly Record<string, unknown>[]>();

  add<T extends BatchTable>(table: T, row: NoInfer<BatchRow<T>>): void {
    let list = this.rows.get(table) as Record<string, unknown>[] | undefined;
    if (!list) this.rows.set(table, (list = []));
    list.push(row);
  }

  count(table: BatchTable): number {
    return this.rows.get(table)?.length ?? 0;
  }

  /** `last`: the transaction's last statement (the runner may commit with it: StatementOptions in sql.ts). */
  async flush(sql: SqlRunner, { last = false }: { last?: boolean } = {}): Promise<void> {
    const tables: BatchTable[] = [];
    const params: string[] = [];
    for (const table of FLUSH_ORDER) {
      const rows = this.rows.get(table);
      if (!rows || rows.length === 0) continue;
      const columns = columnsOf(table);
      const values = rows.map((row) => columns.map(([name, type]) => encode(row[name], type, sql.provider)));
      if (sql.executeEach) await sql.executeEach(cachedInsertSql(table, sql.provider, true), values);
      else if (sql.provider === "postgresql") {
        tables.push(table);
        params.push(JSON.stringify(values));
      } else await sql.execute(cachedInsertSql(table, sql.provider, false), [JSON.stringify(values)]);
    }
    if (tables.length > 0) await sql.execute(combinedInsertSql(tables), params, { last });
  }
}
