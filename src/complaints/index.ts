export { allocateTickets } from "./tickets.js";
export { loadSopPreset, firstStep, stepById, dueAt, sopPresetSchema, type SopPreset, type SopStep } from "./sop.js";
export { statusReply, formatDateTime, type Requester } from "./status.js";
export { resolveComplainant, type NewComplainant } from "./identity.js";
export { cardReply, cardButtons, followUpReply, ratedReply, maskedName, channelLabel, CHANNEL_LABEL_KEYS, type CardInput, type CardView } from "./cards.js";
