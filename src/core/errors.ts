/** Errors with a stable code and a sentence that says what to do. */
export type ErrorCode =
  "KA_CONFIG" | "KA_BAD_REQUEST" | "KA_NOT_FOUND" | "KA_TOO_LARGE" | "KA_UNSUPPORTED_MEDIA" | "KA_DATABASE" | "KA_SHUTTING_DOWN";

export class KanalError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
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
