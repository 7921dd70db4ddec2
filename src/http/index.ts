export { buildServer } from "./server.js";
export type { ServerDeps } from "./types.js";
export type { AdminPage } from "./admin-routes.js";
