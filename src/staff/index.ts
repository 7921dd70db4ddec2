export { createStaffConsole, type StaffConsoleDeps, type ConversationVoice, type StaffFileStore, type StaffReports } from "./console.js";
export { parseStaffMessage, type StaffIntent } from "./parse.js";
export { findStaff, mayViewIdentity, IDENTITY_ROLES, type StaffMember } from "./directory.js";
export {
  postStaffNotice,
  reportDeliveryFailure,
  reportUnreadableMail,
  reportWhatsAppLoggedOut,
  type FailedRow,
} from "./delivery-failures.js";
