import { randomBytes } from "node:crypto";
import { createPostgresDatabase, dropRunDatabases } from "./postgres.js";

/**
 * `npm run test:pg` only: fails the run at once when PostgreSQL does not answer (test:pg must never
 * pass on SQLite), gives the run's databases one id (the workers inherit it), and drops at the end
 * whatever a failed or interrupted test left behind.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const run = `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
  process.env.KANAL_TEST_RUN = run;
  const probe = await createPostgresDatabase();
  if ("skip" in probe) throw new Error(`npm run test:pg needs PostgreSQL: ${probe.skip}`);
  await probe.drop();
  return async () => {
    const left = await dropRunDatabases(run);
    if (left > 0) console.warn(`test:pg: dropped ${left} database(s) a test left behind`);
  };
}
