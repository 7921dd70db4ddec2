import type { ChannelLimits, ChannelName, InboundMessage, Locale, OutboundMessage, StaffFeed } from "../core/index.js";
import type { IntakeState, StepResult } from "../flow/index.js";
import type { SopPreset } from "../complaints/index.js";
import type { Database } from "../db/index.js";
import type { Templates } from "../i18n/index.js";
import type { AttachmentCheck, AttachmentStore } from "../storage/index.js";
import type { FileOutcome } from "./file-intake.js";

export interface ReceiveResult {
  /**
   * "duplicate": this provider message id was processed before; `replies` are the ones sent then.
   * "unknown": the message asked for an existing conversation (a web-chat session) and there is none.
   */
  status: "processed" | "duplicate" | "unknown";
  conversationId: string;
  replies: OutboundMessage[];
  /** What each of the message's files became, in order (a processed message with files only). */
  files?: FileOutcome[];
}

export interface PipelineSettings {
  officeName: string;
  ticketPrefix: string;
  defaultLocale: Locale;
  timeZone: string;
  /** PUBLIC_BASE_URL: receipts link to the tracking page `<url>/lacak?ticket=…`. */
  publicBaseUrl?: string;
  /** ATTACHMENT_MAX_FILES: files per complaint (default 10). */
  maxFilesPerComplaint?: number;
  /** ATTACHMENT_MAX_BYTES_PER_CONVERSATION: bytes of files one conversation may store (default 50 MB). */
  maxBytesPerConversation?: number;
}

export interface PipelineDeps {
  db: Database;
  templates: Templates;
  sop: SopPreset;
  settings: PipelineSettings;
  attachments: AttachmentStore;
  /** The limits of a registered channel; unknown channels are treated as push channels. */
  limitsOf(channel: ChannelName): ChannelLimits;
  clock?: () => Date;
  /** Cards for new complaints and citizens' follow-ups are queued here, in the same transaction. */
  staffFeed?: StaffFeed;
  /** Called after a commit that queued outbox rows, to wake the outbox worker. */
  onOutboxRows?: () => void;
  maxBatch?: number;
}

export interface StepJob {
  inbound: InboundMessage;
  attachments: AttachmentCheck[];
  /** The bot speaks first (a web-chat session opening): no citizen message is stored. */
  opening?: boolean;
  /** Only continue a conversation that exists (a web-chat session id from the client); never start one. */
  existingOnly?: boolean;
  /**
   * Not a citizen's message: the office speaks into the conversation (a staff reply, the rating
   * question after closing). Runs in the conversation's turn, like a message, so it never races one.
   */
  system?: SystemStep;
}

export interface SystemStep {
  author: "bot" | "staff";
  /** The next state and the replies; effects are applied as for a citizen's step. */
  run(state: IntakeState): StepResult;
  /** Files to send with the replies (a staff reply's photo), on channels that take media. */
  attachments?: NonNullable<OutboundMessage["attachments"]>;
}
