import { randomBytes } from "node:crypto";
import pg from "pg";

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/**
 * Every database a test run creates is named kanal_test_<run>_…; under `npm run test:pg` the run id
 * comes from the global setup (test/helpers/pg-global-setup.ts), which drops what a failed test left.
 */
const RUN = process.env.KANAL_TEST_RUN ?? "x";
let created = 0;

/** A fresh PostgreSQL database for one test file, or undefined (with the reason) when none answers. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> } | { skip: string }> {
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch (error) {
    return { skip: `PostgreSQL not reachable at ${ADMIN_URL}: ${(error as Error).message}` };
  }
  // pid + counter + random: two databases created in the same millisecond never share a name.
  const name = `kanal_test_${RUN}_${process.pid}_${++created}_${randomBytes(3).toString("hex")}`;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    async drop() {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Drops every database of one run (the global teardown of `npm run test:pg`). */
export async function dropRunDatabases(run: string): Promise<number> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
      `kanal_test_${run}_%`,
    ]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    return rows.length;
  } finally {
    await client.end();
  }
}
