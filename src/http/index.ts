export { buildServer } from "./server.js";
export type { ServerDeps, Log } from "./types.js";
export type { AdminPage } from "./admin-routes.js";
