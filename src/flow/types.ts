import type { Category, ChannelName, FileRefusal, Locale, Reply } from "../core/index.js";

export type { Reply, TemplateValue } from "../core/index.js";

/**
 * The flow's whole memory of a conversation. Stored as JSON on the Conversation row after every
 * step, so a crash can only repeat a whole step. Keep it plain data (no Dates, no classes).
 */
export interface Draft {
  name?: string;
  anonymous?: boolean;
  email?: string;
  /** Normalised to +62… */
  phone?: string;
  address?: string;
  /** True once the citizen answered (or skipped) the address / contact question. */
  addressAsked?: boolean;
  contactAsked?: boolean;
  category?: Category;
  text?: string;
  attachmentIds: string[];
  /**
   * True once the evidence question was answered. Files can arrive at any step, so a non-empty
   * `attachmentIds` does not mean the citizen was asked whether there is more.
   */
  evidenceAsked?: boolean;
}

export type IntakeStep =
  | "new" // nothing said yet
  | "menu" // waiting for 1 / 2 / 3
  | "askName"
  | "askContact"
  | "askAddress"
  | "askCategory"
  | "askText"
  | "askEvidence"
  | "confirm"
  | "chooseEdit" // after "tidak" at the summary: which field to change
  | "askStatusTicket"
  | "askInfo" // the information-request question (seed 002 triage)
  | "filed" // a complaint or request was filed; further messages are appended to it
  | "askRating" // staff closed the complaint; waiting for 1–5
  | "askRatingComment";

export interface FiledRef {
  complaintId: string;
  ticket: string;
}

export interface IntakeState {
  step: IntakeStep;
  locale: Locale;
  draft: Draft;
  /** Set while an edit from the summary is in progress: after the edited step, go back to confirm. */
  editing?: boolean;
  /** The last complaint or request filed in this conversation (follow-ups go there). */
  filed?: FiledRef;
  /** Set when `filed` is an information request, so replies about it do not call it a complaint. */
  filedKind?: "information";
  /** A message after filing that may not be meant for the complaint, kept while the citizen is asked. */
  pendingFollowUp?: string;
  /** The closed complaint a rating is being asked for. */
  rating?: FiledRef & { score?: number };
  /**
   * E-mail only: what the e-mail receipt asked about the complaint just filed (`state.filed`): the
   * guessed category to confirm or correct, and the name when the sender gave none. A reply that
   * answers it becomes setCategory / setName instead of a follow-up. Cleared once answered, and
   * whenever `filed` changes to another complaint.
   */
  emailPending?: { category?: Category; name?: true };
}

/** What the flow knows about the channel and the sender; the pipeline fills it. */
export interface FlowContext {
  channel: ChannelName;
  /** The channel can answer the complainant later by itself: contact details may be skipped. */
  canReachLater: boolean;
  /** Contact the channel already proves (WhatsApp number, e-mail sender): never asked again. */
  knownPhone?: string;
  knownEmail?: string;
  displayName?: string;
  /** The attachment size limit in MB, named when a file is declined as too large (default 10). */
  maxAttachmentMb?: number;
  /** Files per complaint (ATTACHMENT_MAX_FILES, default 10). */
  maxFiles?: number;
  /** Files the filed complaint that follow-ups go to already holds (the pipeline counts them). */
  filesOnComplaint?: number;
  /** The conversation's file budget in MB (ATTACHMENT_MAX_BYTES_PER_CONVERSATION), named when it is reached. */
  maxConversationMb?: number;
}

/**
 * A file after the pipeline checked it: accepted ones are already stored (their mime is the type
 * the bytes showed). A declined one names, for "type", what the bytes are when that is known.
 */
export type FlowAttachment =
  | { accepted: true; id: string; filename?: string; mime: string }
  | { accepted: false; reason: FileRefusal; filename?: string; mime?: string };

export interface FlowInput {
  /** Trimmed text, possibly empty when only files came. */
  text: string;
  attachments: FlowAttachment[];
}

/**
 * Side effects the pipeline applies in the same transaction. Values an effect produces
 * (`ticket`) are merged into the vars of every reply of the step, so a receipt can say
 * "{ticket}" before the ticket exists.
 */
export type Effect =
  | { type: "createComplaint"; kind: "complaint" | "information"; draft: Draft }
  | { type: "appendToComplaint"; complaintId: string; text: string; attachmentIds: string[] }
  /** Replies with the complaint's status: to the complainant who filed it, or to anyone with its tracking code. */
  | { type: "reportStatus"; ticket: string; code?: string }
  | { type: "storeRating"; complaintId: string; score: number; comment?: string }
  /** E-mail: the citizen corrected the category guessed for the complaint (the receipt asked). */
  | { type: "setCategory"; complaintId: string; category: Category }
  /** E-mail: the citizen gave the name the receipt asked for (the complaint was filed without one). */
  | { type: "setName"; complaintId: string; name: string };

export interface StepResult {
  state: IntakeState;
  replies: Reply[];
  effects: Effect[];
}

/*
 * Contract between the flow and the pipeline, in one place:
 * - createComplaint: the pipeline allocates the ticket, stores the complaint, sets
 *   `state.filed = { complaintId, ticket }` on the returned state and exposes `ticket` to the replies.
 * - appendToComplaint / storeRating: expose `ticket` (from the complaint) to the replies.
 * - reportStatus: the pipeline adds its own reply (status, or "unknown ticket") before the flow's replies.
 * - setCategory: update the complaint's category (and record an event; staff may want to know).
 * - setName: set the complainant's name on the complaint (the Complainant row, unless the complaint
 *   is anonymous) and record an event. Both replies already carry `ticket` in their vars.
 */
