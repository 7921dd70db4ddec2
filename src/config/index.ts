export { loadConfig } from "./load.js";
export type { Config } from "./schema.js";
