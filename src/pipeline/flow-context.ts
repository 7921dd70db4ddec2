import type { InboundMessage } from "../core/index.js";
import type { FlowContext } from "../flow/index.js";
import { budgetOf, maxFilesOf } from "./file-intake.js";
import type { PipelineDeps } from "./types.js";

const mb = (bytes: number): number => Math.round((bytes / (1024 * 1024)) * 10) / 10;

/** What the flow knows about the channel, the sender and the file limits. */
export function flowContext(deps: PipelineDeps, inbound: InboundMessage, filesOnComplaint?: number): FlowContext {
  return {
    channel: inbound.channel,
    canReachLater: deps.limitsOf(inbound.channel).canReachLater,
    knownPhone: inbound.sender.phone,
    knownEmail: inbound.sender.email,
    displayName: inbound.sender.displayName,
    maxAttachmentMb: mb(deps.attachments.maxBytes),
    maxFiles: maxFilesOf(deps),
    maxConversationMb: mb(budgetOf(deps)),
    ...(filesOnComplaint !== undefined ? { filesOnComplaint } : {}),
  };
}
