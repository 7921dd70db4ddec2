/**
 * The bench's identity key: fixed and public, set for this process and every process it starts
 * (they inherit process.env), so no bench run ever generates ./data/identity.key in the repository.
 * Every bench database is a throwaway, so a known key protects nothing that matters; importing this
 * first in each bench entry point sets it before any database opens.
 */
export const BENCH_IDENTITY_KEY = Buffer.alloc(32, "kanal-aduan bench").toString("base64");
process.env.IDENTITY_KEY = BENCH_IDENTITY_KEY;
