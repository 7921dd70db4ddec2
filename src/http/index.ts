export { buildServer } from "./server.js";
export type { ServerDeps, Log } from "./types.js";
