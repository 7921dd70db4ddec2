import type { FileRefusal } from "../core/index.js";
import { DEFAULT_MAX_FILES } from "./file-gate.js";
import type { FlowAttachment, FlowContext, Reply, TemplateValue } from "./types.js";

/** The contract's default web chat limit; channels with another limit say so in the context. */
const DEFAULT_MAX_MB = 10;
/** ATTACHMENT_MAX_BYTES_PER_CONVERSATION's default, in MB. */
const DEFAULT_CONVERSATION_MB = 50;

export interface SortedAttachments {
  accepted: string[];
  /** Polite replies for the declined files; the conversation itself goes on at the same step. */
  declines: Reply[];
}

/** Refusals that concern the message, not one file: one reply says it for all of them. */
const FOR_ALL: readonly FileRefusal[] = ["notNow", "tooMany", "quota"];
/**
 * Files refused one by one are named one by one, up to this many; the rest are counted in one
 * more reply (an e-mail can carry hundreds of attachments; the answer stays short).
 */
const NAMED_REFUSALS = 3;

export function sortAttachments(attachments: readonly FlowAttachment[], ctx: FlowContext): SortedAttachments {
  const accepted: string[] = [];
  const declines: Reply[] = [];
  const counted = new Map<FileRefusal | "others", number>();
  for (const a of attachments) {
    if (a.accepted) {
      accepted.push(a.id);
      continue;
    }
    if (FOR_ALL.includes(a.reason)) {
      counted.set(a.reason, (counted.get(a.reason) ?? 0) + 1);
      continue;
    }
    const file: TemplateValue = a.filename ? a.filename : { key: "file.unnamed" };
    if (declines.length < NAMED_REFUSALS) declines.push(declineOne(a.reason, file, a.mime, ctx));
    else counted.set("others", (counted.get("others") ?? 0) + 1);
  }
  const others = counted.get("others");
  if (others !== undefined) declines.push({ key: "file.declined.others", vars: { count: others } });
  for (const reason of FOR_ALL) {
    const count = counted.get(reason);
    if (count === undefined) continue;
    if (reason === "notNow") declines.push({ key: "file.declined.notNow", vars: { count } });
    if (reason === "tooMany") declines.push({ key: "file.declined.tooMany", vars: { count, max: ctx.maxFiles ?? DEFAULT_MAX_FILES } });
    if (reason === "quota") {
      declines.push({ key: "file.declined.quota", vars: { count, limit: ctx.maxConversationMb ?? DEFAULT_CONVERSATION_MB } });
    }
  }
  return { accepted, declines };
}

function declineOne(reason: FileRefusal, file: TemplateValue, mime: string | undefined, ctx: FlowContext): Reply {
  switch (reason) {
    case "tooLarge":
      return { key: "file.declined.tooLarge", vars: { file, limit: ctx.maxAttachmentMb ?? DEFAULT_MAX_MB } };
    case "unavailable":
      return { key: "file.declined.unavailable", vars: { file } };
    case "empty":
      return { key: "file.declined.empty", vars: { file } };
    default:
      // The bytes are a type we know (an executable, a web page we cannot tell): name it; or none we know.
      return mime ? { key: "file.declined.type", vars: { file, mime } } : { key: "file.declined.unrecognised", vars: { file } };
  }
}
