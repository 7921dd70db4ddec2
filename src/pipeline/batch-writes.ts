import type { SqlRunner } from "../db/index.js";
import { valuesList } from "../db/index.js";

/**
 * The rows one batch writes, flushed as one multi-row INSERT per table in foreign-key order.
 * Prisma's cost is per statement, not per row: this is what keeps a batch of 200 steps at a
 * handful of statements.
 */
type Row = readonly unknown[];

interface TableSpec {
  table: string;
  columns: readonly string[];
  /** Appended to the INSERT (e.g. the upsert clause). */
  suffix?: string;
}

const TABLES = {
  conversation: {
    table: "Conversation",
    columns: ["id", "channel", "chatId", "senderId", "locale", "step", "state", "complaintId", "lastInboundAt", "createdAt", "updatedAt"],
    suffix: `ON CONFLICT ("channel", "chatId") DO UPDATE SET "senderId" = excluded."senderId", "locale" = excluded."locale",
      "step" = excluded."step", "state" = excluded."state", "complaintId" = excluded."complaintId",
      "lastInboundAt" = excluded."lastInboundAt", "updatedAt" = excluded."updatedAt"`,
  },
  complainant: {
    table: "Complainant",
    columns: ["id", "name", "anonymous", "email", "phone", "address", "createdAt", "updatedAt"],
  },
  identity: {
    table: "ChannelIdentity",
    columns: ["id", "channel", "externalId", "displayName", "complainantId", "createdAt"],
  },
  complaint: {
    table: "Complaint",
    columns: [
      "id", "ticket", "year", "seq", "kind", "category", "text", "channel", "status", "sopStep", "stepStartedAt",
      "stepDueAt", "complainantId", "conversationId", "receivedAt", "createdAt", "updatedAt",
    ],
  },
  event: {
    table: "ComplaintEvent",
    columns: ["id", "complaintId", "type", "actor", "data", "createdAt"],
  },
  attachment: {
    table: "Attachment",
    columns: ["id", "conversationId", "complaintId", "sha256", "mime", "size", "filename", "storagePath", "createdAt"],
  },
  message: {
    table: "Message",
    columns: ["conversationId", "channel", "providerMessageId", "direction", "author", "text", "options", "complaintId", "replyToProviderId", "createdAt"],
  },
  outbox: {
    table: "OutboxMessage",
    columns: ["id", "channel", "chatId", "conversationId", "complaintId", "payload", "status", "attempts", "nextAttemptAt", "createdAt", "updatedAt"],
  },
} as const satisfies Record<string, TableSpec>;

export type TableName = keyof typeof TABLES;

/** Foreign keys point backwards in this list. */
const FLUSH_ORDER: readonly TableName[] = ["conversation", "complainant", "identity", "complaint", "event", "attachment", "message", "outbox"];

/** SQLite allows 32,766 variables per statement; stay well under it and under PostgreSQL's 65,535. */
const MAX_VARIABLES = 30_000;

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
      const perStatement = Math.max(1, Math.floor(MAX_VARIABLES / spec.columns.length));
      for (let start = 0; start < rows.length; start += perStatement) {
        const chunk = rows.slice(start, start + perStatement);
        const columns = spec.columns.map((c) => `"${c}"`).join(", ");
        await sql.execute(
          `INSERT INTO "${spec.table}" (${columns}) VALUES ${valuesList(chunk.length, spec.columns.length)} ${spec.suffix ?? ""}`,
          chunk.flat(),
        );
      }
    }
  }
}
