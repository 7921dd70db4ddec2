export type DbProvider = "sqlite" | "postgresql";

export function providerOf(databaseUrl: string): DbProvider {
  return /^postgres(ql)?:\/\//.test(databaseUrl) ? "postgresql" : "sqlite";
}

/** `file:./data/x.db` → `./data/x.db` (relative to the working directory, as Prisma reads it). */
export function sqlitePath(databaseUrl: string): string {
  const path = databaseUrl.replace(/^file:/, "");
  return path.split("?")[0]!;
}
