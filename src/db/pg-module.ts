import type pg from "pg";

/** node-postgres, loaded on first use: an office on SQLite never pays for it (README, Benchmark: idle memory). */
export async function loadPg(): Promise<typeof pg> {
  return (await import("pg")).default;
}
