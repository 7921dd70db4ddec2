import type { PrismaClient as SqlitePrismaClient } from "./generated/sqlite/client.js";
import type BetterSqlite3 from "better-sqlite3";
import { migrate } from "./migrate.js";
import { providerOf, sqlitePath, type DbProvider } from "./provider.js";
import { sqlRunner, type RawClient, type SqlRunner, type TransactionOptions } from "./sql.js";
import type { pgDirect } from "./pg-direct.js";
import { directSqliteRunner } from "./sqlite-direct.js";
import { rawSqliteTransactions, shareTurns, transactionTurns, type TransactionTurns } from "./sqlite-transactions.js";
import { ALREADY_DURABLE, walDurability } from "./durable.js";
import { walCheckpointer } from "./checkpointer.js";
import { loadPg } from "./pg-module.js";
import { withSealedIdentity } from "./identity-extension.js";
import { DEFAULT_IDENTITY_KEY_FILE, loadIdentityKeyring } from "./identity-keys.js";
import { resealIdentities } from "./identity-pass.js";
import { installIdentityKeyring } from "./identity-seal.js";
import { hashWebchatSessionIds } from "./webchat-session-pass.js";

/**
 * Both generated clients come from one model file (prisma/models.prisma.part), so their model
 * delegates have the same shape; the rest of the code is typed against the SQLite one.
 */
export type PrismaDb = SqlitePrismaClient;

export interface Database {
  readonly provider: DbProvider;
  readonly prisma: PrismaDb;
  /**
   * Raw SQL outside Prisma's query layer, for the hot statements: straight on the connection
   * (sqlite-direct.ts inside a transaction; pg-direct.ts on PostgreSQL). Each statement commits
   * on its own; `within(tx)` joins a Prisma interactive transaction.
   */
  readonly sql: SqlRunner;
  /**
   * Resolves once everything committed before the call is on disk (src/db/durable.ts): await it
   * before answering anyone about a write. Immediate on PostgreSQL, whose COMMIT already is.
   */
  durable(): Promise<void>;
  /**
   * A transaction of raw statements outside Prisma: on PostgreSQL on one pool client
   * (pg-direct.ts); on SQLite on its one connection, in turn with Prisma's transactions
   * (sqlite-transactions.ts). The options are SQLite's (waiting for that connection, and the whole
   * transaction's time limit, as Prisma's); PostgreSQL's statements are bounded by the pool's
   * statement_timeout instead.
   */
  transaction<T>(work: (sql: SqlRunner) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

/** SQLite's own wal_autocheckpoint, restored when the background checkpoints cannot run. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

export interface OpenOptions {
  /** Apply pending migrations first (npm start does; tests that share a migrated file may skip). */
  migrate?: boolean;
  /** Where the PostgreSQL pool says what it recovered from (default: nowhere). */
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** The identity key(s) (IDENTITY_KEY; default: that environment variable, else the key file). */
  identityKey?: string | undefined;
  /** Where a key is generated when none is set (default ./data/identity.key). */
  identityKeyFile?: string;
}

export async function openDatabase(databaseUrl: string, options: OpenOptions = {}): Promise<Database> {
  const provider = providerOf(databaseUrl);
  if (options.migrate !== false) await migrate(databaseUrl);
  loadIdentityKey(options);
  if (provider === "sqlite") {
    const turns = transactionTurns();
    const { prisma: plain, connection, wal } = await openSqlite(databaseUrl, turns);
    const prisma = withSealedIdentity(plain);
    const outside = sqlRunner(prisma, provider);
    // Raw SQL inside a transaction runs straight on the transaction's connection (sqlite-direct.ts).
    const direct = directSqliteRunner(connection);
    const sql: SqlRunner = { ...outside, within: () => direct };
    const path = sqlitePath(databaseUrl);
    const onDisk = path !== ":memory:" && wal;
    const durability = onDisk ? walDurability(path) : ALREADY_DURABLE;
    const checkpoints = onDisk
      ? walCheckpointer(path, {
          fallback: () => connection.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`),
          log: options.log,
        })
      : undefined;
    await upgradeOldRows(sql);
    await durability.durable();
    return {
      provider,
      prisma,
      sql,
      transaction: rawSqliteTransactions(connection, direct, turns),
      durable: () => {
        checkpoints?.committed();
        return durability.durable();
      },
      close: async () => {
        await checkpoints?.close();
        await durability.close();
        await prisma.$disconnect();
      },
    };
  }
  const { prisma: plain, direct } = await openPostgres(databaseUrl, options.log);
  const prisma = withSealedIdentity(plain);
  const { sql, transaction } = direct((tx) => sqlRunner(tx, provider));
  await upgradeOldRows(sql);
  return { provider, prisma, sql, transaction, durable: () => ALREADY_DURABLE.durable(), close: () => prisma.$disconnect() };
}

// Each provider's client, adapter and driver are loaded only when used: the other one's query
// compiler and driver cost start-up time and resident memory for nothing.
async function openSqlite(
  databaseUrl: string,
  turns: TransactionTurns,
): Promise<{ prisma: PrismaDb; connection: BetterSqlite3.Database; wal: boolean }> {
  const [{ PrismaBetterSQLite3 }, { PrismaClient }] = await Promise.all([
    import("@prisma/adapter-better-sqlite3"),
    import("./generated/sqlite/client.js"),
  ]);
  // timeout = busy timeout: a second process (npm run chat beside npm start) waits for the lock
  // instead of failing at once.
  const adapter = new PrismaBetterSQLite3({ url: sqlitePath(databaseUrl), timeout: 5000 });
  // The one connection the adapter opens, kept for sqlite-direct.ts (the adapter's `client`).
  let connection: BetterSqlite3.Database | undefined;
  const connect = adapter.connect.bind(adapter);
  adapter.connect = async () => {
    const opened = await connect();
    connection = (opened as unknown as { client: BetterSqlite3.Database }).client;
    // Prisma's transactions and our raw ones (sqlite-transactions.ts) open on this connection in turn.
    shareTurns(opened, turns);
    return opened;
  };
  const prisma = new PrismaClient({ adapter });
  // WAL was set by the migration runner and is persistent. synchronous=NORMAL: a COMMIT does not
  // wait for the disk; whoever answers a person about a write awaits db.durable() first, which
  // fdatasyncs the WAL off the event loop (src/db/durable.ts): a committed step (a confirmed
  // complaint) survives power loss as with FULL, and one fsync serves every batch committed before it.
  // A file system where WAL could not be set (the migration asked for it) stays in a rollback
  // journal, where only FULL makes a commit durable by itself.
  const [mode] = await prisma.$queryRawUnsafe<{ journal_mode: string }[]>("PRAGMA journal_mode");
  const wal = mode?.journal_mode.toLowerCase() === "wal";
  await prisma.$executeRawUnsafe(`PRAGMA synchronous = ${wal ? "NORMAL" : "FULL"}`);
  // Checkpoints run on a thread of their own (checkpointer.ts), not inside this connection's COMMIT.
  if (wal) await prisma.$queryRawUnsafe("PRAGMA wal_autocheckpoint = 0");
  if (!connection) throw new Error("the SQLite driver adapter did not connect");
  return { prisma, connection, wal };
}

async function openPostgres(
  databaseUrl: string,
  log?: OpenOptions["log"],
): Promise<{ prisma: PrismaDb; direct: (viaPrisma: (tx: RawClient) => SqlRunner) => ReturnType<typeof pgDirect> }> {
  const [{ PrismaPg }, { PrismaClient }, { createPgPool }, { pgDirect }, pg] = await Promise.all([
    import("@prisma/adapter-pg"),
    import("./generated/postgresql/client.js"),
    import("./pg-pool.js"),
    import("./pg-direct.js"),
    loadPg(),
  ]);
  // One pool for Prisma and the direct statements: the connection limit is the deployment's, not doubled.
  const pool = createPgPool(databaseUrl, log);
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  // The PostgreSQL client has the same models and methods (see PrismaDb); only its nominal type differs.
  return {
    prisma: new PrismaClient({ adapter }) as unknown as PrismaDb,
    direct: (viaPrisma) => pgDirect(pool, pg.types, viaPrisma),
  };
}

/**
 * Identity fields are sealed with this key (src/db/identity-seal.ts). A fresh install without
 * IDENTITY_KEY gets one generated: losing it loses every identity, so the operator hears it loudly.
 */
function loadIdentityKey(options: OpenOptions): void {
  const file = options.identityKeyFile ?? DEFAULT_IDENTITY_KEY_FILE;
  const { keyring, created } = loadIdentityKeyring({ setting: options.identityKey ?? process.env.IDENTITY_KEY, file });
  installIdentityKeyring(keyring);
  if (created) {
    const message =
      "IDENTITY KEY GENERATED: complainants' identities are encrypted with the new key in this file. BACK IT UP NOW, " +
      "apart from the database backups: without it no identity can be read again (or set IDENTITY_KEY, see README Privacy)";
    (options.log ?? ((m, f) => process.stderr.write(`${m} ${JSON.stringify(f)}\n`)))(message, { file, keyId: keyring.current.id });
  }
}

/**
 * Passes that bring rows from before a privacy change up to it, each once per database: its
 * marker spares later starts the scan.
 */
async function upgradeOldRows(sql: SqlRunner): Promise<void> {
  // Rows from before encryption are sealed.
  await once(sql, PLAINTEXT_PASS_KEY, () => resealIdentities(sql, undefined, { plaintextOnly: true }));
  // Web-chat session ids are stored as their hash (src/db/webchat-session.ts).
  await once(sql, WEBCHAT_SESSION_PASS_KEY, () => hashWebchatSessionIds(sql));
}

async function once(sql: SqlRunner, key: string, pass: () => Promise<unknown>): Promise<void> {
  const done = await sql.query<{ value: string }>(`SELECT "value" FROM "ChannelState" WHERE "key" = ?`, [key]);
  if (done.length > 0) return;
  await pass();
  await sql.execute(`INSERT INTO "ChannelState" ("key", "value", "updatedAt") VALUES (?, ?, ?) ON CONFLICT ("key") DO NOTHING`, [
    key,
    "done",
    new Date(),
  ]);
}

const WEBCHAT_SESSION_PASS_KEY = "privacy:webchat-session-hashed:v1";

// v2: the pass also seals drafts' complaint texts, pending follow-ups and tracking codes (older
// scrypt hashes); a database the v1 pass already covered gets those once more.
const PLAINTEXT_PASS_KEY = "privacy:plaintext-sealed:v2";
