import { defineConfig } from "vitest/config";
import { UNIT_TESTS } from "./test/unit-tier.js";

// `npm run test:pg` sets KANAL_TEST_DB=postgresql: the same suite on fresh PostgreSQL databases
// (test/helpers/database.ts); its global setup drops whatever the run left behind.
const onPostgres = process.env.KANAL_TEST_DB === "postgresql";
// `npm run test:unit` sets KANAL_TEST_TIER=unit: only the fast tier (test/unit-tier.ts).
const unitTier = process.env.KANAL_TEST_TIER === "unit";

export default defineConfig({
  test: {
    include: unitTier ? UNIT_TESTS : ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Browser and database tests start servers; two cores do not like many forks at once.
    maxWorkers: 2,
    // The fast tier's tests hold no state between files: sharing each worker's modules saves
    // loading the Prisma client (1–2 s) once per file.
    isolate: !unitTier,
    // Every database the suite opens seals identities (src/db/identity-seal.ts): one fixed test key,
    // so no test writes a generated key into ./data. Tests of the key file pass their own options.
    env: { IDENTITY_KEY: process.env.IDENTITY_KEY ?? "a2FuYWwtYWR1YW4gdGVzdCBpZGVudGl0eSBrZXkgMzI=" },
    ...(onPostgres && !unitTier ? { globalSetup: ["test/helpers/pg-global-setup.ts"] } : {}),
  },
});
