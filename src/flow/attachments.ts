import type { FlowAttachment, FlowContext, Reply, TemplateValue } from "./types.js";

/** The contract's default web chat limit; channels with another limit say so in the context. */
const DEFAULT_MAX_MB = 10;

export interface SortedAttachments {
  accepted: string[];
  /** One polite reply per declined file; the conversation itself goes on at the same step. */
  declines: Reply[];
}

export function sortAttachments(attachments: readonly FlowAttachment[], ctx: FlowContext): SortedAttachments {
  const accepted: string[] = [];
  const declines: Reply[] = [];
  for (const a of attachments) {
    if (a.accepted) {
      accepted.push(a.id);
      continue;
    }
    const file: TemplateValue = a.filename ? a.filename : { key: "file.unnamed" };
    declines.push(
      a.reason === "tooLarge"
        ? { key: "file.declined.tooLarge", vars: { file, limit: ctx.maxAttachmentMb ?? DEFAULT_MAX_MB } }
        : a.reason === "unavailable"
          ? { key: "file.declined.unavailable", vars: { file } }
          : { key: "file.declined.type", vars: { file, mime: a.mime } },
    );
  }
  return { accepted, declines };
}
