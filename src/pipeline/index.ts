export { createPipeline, type Pipeline } from "./pipeline.js";
export type { PipelineDeps, PipelineSettings, ReceiveResult, StepJob, SystemStep } from "./types.js";
export { createConversationStore, type ConversationHistory, type ConversationStore, type HistoryMessage } from "./conversation-store.js";
export type { FileOutcome } from "./file-intake.js";
export { purgeIdleWebchatSessions, type PurgeResult } from "./session-purge.js";
