import { defineConfig } from "vitest/config";

// `npm run test:pg` sets KANAL_TEST_DB=postgresql: the same suite on fresh PostgreSQL databases
// (test/helpers/database.ts); its global setup drops whatever the run left behind.
const onPostgres = process.env.KANAL_TEST_DB === "postgresql";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Browser and database tests start servers; two cores do not like many forks at once.
    maxWorkers: 2,
    ...(onPostgres ? { globalSetup: ["test/helpers/pg-global-setup.ts"] } : {}),
  },
});
