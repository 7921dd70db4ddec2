export { addWebLogin, setWebPassword, disableWebLogin, isWebOnly, normaliseUsername, type NewWebLogin } from "./accounts.js";
export { GENERIC_ROLES, validStaffRoles, staffRoleProblem, presetsWithRole } from "./roles.js";
export { hashPassword, verifyPassword, PASSWORD_MIN_LENGTH } from "./passwords.js";
export { readPasswordLine } from "./read-password.js";
export { consolePlugin } from "./plugin.js";
export type { ConsoleDeps } from "./types.js";
