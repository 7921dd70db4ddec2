import { findTicket, type Category } from "../core/index.js";
import { classifyCategory } from "./classify-category.js";
import { emptyDraft } from "./draft.js";
import { isYes, parseGlobal } from "./keywords.js";
import { parseName } from "./parse-answer.js";
import { CATEGORY_KEYS, CATEGORY_OPTION_KEYS, parseCategory } from "./parse-category.js";
import { result } from "./result.js";
import type { Draft, Effect, FiledRef, FlowContext, IntakeState, Reply, StepResult } from "./types.js";

/**
 * The e-mail variant of the conversation: "a new e-mail is usually a whole complaint".
 *
 * A first e-mail that tells a story is filed at once, its category guessed from its words
 * (classify-category.ts), and the receipt asks only for what is missing: a confirmation or
 * correction of the category (its number) and the name when the sender's address has none. The
 * citizen's reply in the thread that answers exactly that corrects the filed complaint
 * (setCategory / setName); anything else is a follow-up, as on every channel.
 */

/**
 * An e-mail may be longer than a chat message: up to this many characters it is filed as it is.
 * A longer one gets the normal greeting, "too long" and the menu.
 */
export const EMAIL_TEXT_MAX_CHARS = 20_000;

const wordCount = (text: string): number => text.split(/\s+/).filter(Boolean).length;

/** The chat rule (8 words, 40 characters, no keyword, no ticket) with the e-mail length limit. */
export function looksLikeEmailComplaint(text: string): boolean {
  const trimmed = text.trim();
  return (
    wordCount(trimmed) >= 8 &&
    trimmed.length >= 40 &&
    trimmed.length <= EMAIL_TEXT_MAX_CHARS &&
    parseGlobal(trimmed) === undefined &&
    findTicket(trimmed) === undefined
  );
}

/**
 * The first e-mail of a thread, when it is a complaint: filed at once. Undefined otherwise (a
 * greeting, a keyword, a question): the normal first message answers it.
 */
export function emailFirstMessage(state: IntakeState, text: string, files: readonly string[], ctx: FlowContext): StepResult | undefined {
  if (ctx.channel !== "email" || !looksLikeEmailComplaint(text)) return undefined;
  const { category } = classifyCategory(text);
  // The sender's display name is the complainant's name when it reads as one ("Budi Santoso",
  // not "info@…" or "PT 123456"); otherwise the receipt asks for it.
  const name = ctx.displayName ? parseName(ctx.displayName) : undefined;
  const draft: Draft = {
    text: text.trim(),
    category,
    ...(name ? { name } : {}),
    anonymous: false,
    attachmentIds: [...files],
  };
  const next: IntakeState = {
    step: "filed",
    locale: state.locale,
    draft: emptyDraft(),
    // The pipeline sets the new complaint here (createComplaint).
    filed: undefined,
    emailPending: { category, ...(name ? {} : { name: true as const }) },
  };
  const receipt: Reply = {
    key: "receipt.email",
    vars: {
      category: { key: CATEGORY_KEYS[category] },
      evidence: files.length,
      ask: { key: name ? "email.ask.category" : "email.ask.categoryAndName" },
    },
    options: [...CATEGORY_OPTION_KEYS],
  };
  return result(next, [receipt], [{ type: "createComplaint", kind: "complaint", draft }]);
}

/** Only "nama: …", "nama saya …", "name: …", "my name is …" count: a bare line may be anything. */
const NAME_MARKER = /^(?:nama|name|my\s+name)\b/i;
/** "kategori 2", "kategori: pelayanan", "category 3". */
const CATEGORY_MARKER = /^(?:kategori(?:nya)?|category)\s*(?::|-|=|adalah|is)?\s*/i;
/** A correction is a short answer; a line longer than this is a follow-up. */
const MAX_ANSWER_WORDS = 5;

type LineAnswer = { kind: "category"; value: Category } | { kind: "name"; value: string } | { kind: "confirm" };

/** One line of the reply, as an answer to what is still open (`wants`), or undefined. */
function lineAnswer(line: string, wants: { category: boolean; name: boolean }): LineAnswer | undefined {
  if (wants.name && NAME_MARKER.test(line)) {
    const name = parseName(line);
    return name ? { kind: "name", value: name } : undefined;
  }
  if (!wants.category) return undefined;
  const bare = line.replace(CATEGORY_MARKER, "");
  if (wordCount(bare) > MAX_ANSWER_WORDS) return undefined;
  if (isYes(bare)) return { kind: "confirm" };
  const category = parseCategory(bare);
  return category ? { kind: "category", value: category } : undefined;
}

/**
 * A reply in the thread after the e-mail receipt that answers what the receipt asked (the
 * category number or name, "ya" to keep the guess, "Nama: …"), one answer per line. Undefined
 * when the message is anything else: it is then a follow-up to the complaint.
 */
export function emailCorrection(state: IntakeState & { filed: FiledRef }, text: string): StepResult | undefined {
  const pending = state.emailPending;
  if (!pending || (!pending.category && !pending.name)) return undefined;
  const lines = text
    .split(/\n+/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length === 0 || lines.length > 3) return undefined;

  let category: Category | undefined;
  let categoryAnswered = false;
  let name: string | undefined;
  for (const line of lines) {
    const answer = lineAnswer(line, { category: Boolean(pending.category) && !categoryAnswered, name: Boolean(pending.name) && !name });
    if (!answer) return undefined;
    if (answer.kind === "name") {
      name = answer.value;
    } else {
      categoryAnswered = true;
      category = answer.kind === "category" ? answer.value : pending.category;
    }
  }
  const categoryChanged = category !== undefined && category !== pending.category;

  const { complaintId, ticket } = state.filed;
  const effects: Effect[] = [];
  if (categoryChanged && category) effects.push({ type: "setCategory", complaintId, category });
  if (name) effects.push({ type: "setName", complaintId, name });
  const categoryName = category ? { key: CATEGORY_KEYS[category] } : undefined;

  let reply: Reply;
  if (name && categoryName) reply = { key: "email.categoryAndName.set", vars: { ticket, category: categoryName, name } };
  else if (name) reply = { key: "email.name.set", vars: { ticket, name } };
  else if (categoryName)
    reply = { key: categoryChanged ? "email.category.set" : "email.category.confirmed", vars: { ticket, category: categoryName } };
  else return undefined; // every line answered something, so one of the two is set

  const stillPending = {
    ...(categoryAnswered ? {} : pending.category ? { category: pending.category } : {}),
    ...(name || !pending.name ? {} : { name: true as const }),
  };
  const next: IntakeState = {
    ...state,
    emailPending: Object.keys(stillPending).length > 0 ? stillPending : undefined,
  };
  return result(next, [reply], effects);
}
