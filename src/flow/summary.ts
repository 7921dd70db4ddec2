import { CONFIRM_OPTIONS } from "./options.js";
import { CATEGORY_KEYS } from "./parse-category.js";
import type { Draft, FlowContext, Reply, TemplateValue } from "./types.js";

const EMPTY: TemplateValue = { key: "summary.empty" };

/** Everything the complaint will say, for the citizen to confirm before it is filed. */
export function summaryReply(draft: Draft, ctx: FlowContext): Reply {
  const contacts = [draft.email, draft.phone].filter((c): c is string => Boolean(c));
  let contact: TemplateValue;
  if (contacts.length > 0) contact = contacts.join(", ");
  // Known channel contacts are not repeated here: for an anonymous complaint that would read as
  // if the number were attached to it.
  else if (ctx.canReachLater || ctx.knownPhone || ctx.knownEmail) contact = { key: "summary.viaChannel" };
  else contact = EMPTY;
  return {
    key: "summary",
    vars: {
      name: draft.anonymous ? { key: "summary.anonymous" } : (draft.name ?? EMPTY),
      contact,
      address: draft.address ?? EMPTY,
      category: draft.category ? { key: CATEGORY_KEYS[draft.category] } : EMPTY,
      text: draft.text ?? EMPTY,
      evidence: draft.attachmentIds.length,
    },
    options: [...CONFIRM_OPTIONS],
  };
}
