import type { Log } from "../core/index.js";

/** `npm start`'s log: one JSON object a line on stdout, for journald, docker or a log shipper. */
export const jsonLog: Log = (msg, fields = {}) => {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), msg, ...fields }) + "\n");
};
