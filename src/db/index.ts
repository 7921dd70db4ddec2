export { openDatabase, type Database, type PrismaDb, type OpenOptions } from "./client.js";
export type { TransactionOptions } from "./sql.js";
export type {
  ComplaintRecord,
  ComplaintEventRecord,
  ComplainantRecord,
  ChannelIdentityRecord,
  ConversationRecord,
  StaffRecord,
  PrismaTx,
} from "./rows.js";
export { migrate, listMigrations } from "./migrate.js";
export { providerOf, sqlitePath, type DbProvider } from "./provider.js";
export { sqlRunner, valuesList, inJsonList, planStable, type SqlRunner, type RawClient, type StatementOptions } from "./sql.js";
export { repoRoot } from "./paths.js";
export { newOrderedId, newOrderedSecret } from "./ordered-id.js";
export { isoTimestamp } from "./timestamp.js";
export { channelStateStore } from "./channel-state.js";
export { sessionLock, type SessionLock } from "./session-lock.js";
export { collectMetrics } from "./metrics.js";
export { createLeaderElection, type LeaderElection, type LeaderElectionOptions } from "./leader-election.js";
export { isDatabaseUnavailable, rethrowUnavailable } from "./unavailable.js";
export { BatchWrites, type BatchRow, type BatchTable } from "./batch-writes.js";
export { recordFailedInbound } from "./failed-inbound.js";
export { sharedRateCounter, forgetEndedRateWindows, countRateHit, readRateHits } from "./rate-limit-counter.js";
export {
  seal,
  sealPublic,
  unseal,
  sealNullable,
  unsealNullable,
  isSealed,
  lookupHash,
  lookupHashes,
  identityKeyring,
  installIdentityKeyring,
} from "./identity-seal.js";
export {
  loadIdentityKeyring,
  keyringOf,
  parseKeyList,
  newKeyText,
  writeKeyFile,
  DEFAULT_IDENTITY_KEY_FILE,
  type IdentityKeyring,
} from "./identity-keys.js";
export { resealIdentities, identityKeyUse, stateForStorage, stateFromStorage, type OpenedValues, type PassCount } from "./identity-pass.js";
export { COMPLAINANT_SEALED } from "./identity-extension.js";
export { isLookupHash, lookupHashKeyId } from "./identity-seal.js";
export { isWebchatChatId, webchatChatId } from "./webchat-session.js";
