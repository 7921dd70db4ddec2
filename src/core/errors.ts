/** Errors with a stable code and a sentence that says what to do. */
export type ErrorCode =
  | "KA_CONFIG"
  | "KA_BAD_REQUEST"
  | "KA_NOT_FOUND"
  | "KA_TOO_LARGE"
  | "KA_UNSUPPORTED_MEDIA"
  | "KA_DATABASE"
  | "KA_SHUTTING_DOWN"
  /** A provider we depend on did not answer (a network error, a 5xx while fetching a file): try again later. */
  | "KA_UNAVAILABLE";

export class KanalError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "KanalError";
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}

/** An error's message for a log line, whatever was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** KA_DATABASE, KA_SHUTTING_DOWN, KA_UNAVAILABLE: not the message's fault; whoever sent it should send it again later. */
export function isRetryLater(error: unknown): boolean {
  return (
    error instanceof KanalError && (error.code === "KA_DATABASE" || error.code === "KA_SHUTTING_DOWN" || error.code === "KA_UNAVAILABLE")
  );
}

/**
 * The kind of an error for a record anyone may read: its class and codes (a KanalError's code,
 * Prisma's P-code, a PostgreSQL SQLSTATE), never its message, which can quote the data that failed.
 */
export function errorKind(error: unknown): string {
  if (error instanceof KanalError) return error.code;
  if (!(error instanceof Error)) return typeof error;
  const codes: string[] = [];
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 4; depth++) {
    const { code, meta, cause } = e as { code?: unknown; meta?: { code?: unknown }; cause?: unknown };
    for (const c of [code, meta?.code]) if (typeof c === "string" && /^[A-Za-z0-9_]{1,40}$/.test(c) && !codes.includes(c)) codes.push(c);
    e = cause;
  }
  return [error.name || "Error", ...codes].join(" ");
}
