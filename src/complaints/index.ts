export { allocateTickets } from "./tickets.js";
export {
  loadSopPreset,
  parseSopPreset,
  resolveSopPreset,
  firstStep,
  stepById,
  stepLabel,
  roleById,
  headRole,
  presetRolesOf,
  dueAt,
  warnAt,
  sopPresetSchema,
  TIME_UNITS,
  type SopPreset,
  type DocumentNumber,
  type SopPresetFile,
  type SopStep,
  type SopRole,
  type SopBranch,
  type TimeStandard,
  type TimeUnit,
  type Localized,
  type HolidayCalendar,
  type PresetDefaults,
} from "./sop.js";
export {
  loadNationalHolidays,
  parseHolidayFile,
  missingHolidayYears,
  HOLIDAY_KINDS,
  NO_NATIONAL_HOLIDAYS,
  type NationalHolidays,
  type Holiday,
  type HolidayKind,
} from "./holidays.js";
export { sopStartupNotices, holidayNotices, unknownStepNotice, type StartupNotice } from "./startup-checks.js";
export {
  addWorkingMinutes,
  workingMinutesBetween,
  addCalendarDays,
  addCalendarMonths,
  workingDayMinutes,
  localYear,
  wallMs,
  type WorkingTime,
  type OfficeHours,
  type CalendarTime,
} from "./working-time.js";
export {
  transition,
  mayAct,
  holderRoleOf,
  assignableRole,
  staffRoles,
  membersOf,
  type LifecycleComplaint,
  type LifecycleActor,
  type LifecycleAction,
  type Transition,
  type Refusal,
  type Decision,
  type StaffPerson,
} from "./lifecycle.js";
export {
  applyMove,
  applyAssign,
  moveEvent,
  assignEvent,
  findOverdue,
  staffPeople,
  type LifecycleRow,
  type EventActor,
  type WrittenEvent,
  type AssignTarget,
} from "./lifecycle-store.js";
export {
  complaintByTicket,
  complaintOfFeedMessage,
  conversationOfComplaint,
  closeComplaint,
  openComplaints,
  complaintEvents,
  complainantOf,
  recordEvent,
  type ComplaintRow,
  type ComplaintEventInput,
} from "./queries.js";
export { startSopScheduler, noticeKey, type SopScheduler, type SopSchedulerDeps, type SopNotice, type SopTx } from "./scheduler.js";
export { staffFeedNotifier, holderReply, durationReply } from "./sop-notify.js";
export { statusReply, formatDateTime, type Requester, type StatusQuery } from "./status.js";
export { resolveComplainant, type NewComplainant } from "./identity.js";
export {
  cardReply,
  cardButtons,
  followUpReply,
  ratedReply,
  maskedName,
  channelLabel,
  CHANNEL_LABEL_KEYS,
  type CardInput,
  type CardView,
} from "./cards.js";
export { newTrackingCode, newTrackedCode, sealTrackingCode, verifyTrackingCode } from "./tracking-code.js";
export { checkTrackingCode, senderIsProven, trackingLink, TRACKING_ATTEMPTS, type CodeCheck } from "./tracking.js";
export { publicTracking, type PublicTracking, type PublicView, type IdentityToMask } from "./tracking-public.js";
