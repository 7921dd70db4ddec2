/**
 * A process that writes, makes it durable (which starts the checkpoint thread) and closes the
 * database with nothing else left to do: it must end by itself, with status 0, after "closed".
 * Run by test/db/checkpointer.test.ts.
 */
import { openDatabase } from "../../src/db/index.js";

const [url] = process.argv.slice(2);
const db = await openDatabase(url!);
await db.transaction((sql) =>
  sql.execute(`INSERT INTO "ChannelState" ("key", "value", "updatedAt") VALUES (?, ?, ?)`, ["k", "v", new Date()]),
);
await db.durable();
// Long enough for the checkpoint to be under way: the process then has only the thread to wait for.
await new Promise((resolve) => setTimeout(resolve, 250));
await db.close();
process.stdout.write("closed\n");
