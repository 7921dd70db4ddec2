/** A structured log line: a message and its fields (src/main writes them as JSON lines). */
export type Log = (message: string, fields?: Record<string, unknown>) => void;
