import type { ChannelName, Locale, Reply } from "../core/index.js";
import { formatDateTime } from "./status.js";
import type { SopStep } from "./sop.js";

/** How staff see a channel's name (literal keys: a test checks every template is used). */
export const CHANNEL_LABEL_KEYS: Record<ChannelName, string> = {
  webchat: "staff.channel.webchat",
  terminal: "staff.channel.terminal",
  telegram: "staff.channel.telegram",
  "whatsapp-web": "staff.channel.whatsapp-web",
  "whatsapp-cloud": "staff.channel.whatsapp-cloud",
  messenger: "staff.channel.messenger",
  instagram: "staff.channel.instagram",
  discord: "staff.channel.discord",
  email: "staff.channel.email",
};

export function channelLabel(channel: string): { key: string } {
  return { key: CHANNEL_LABEL_KEYS[channel as ChannelName] ?? "staff.channel.other" };
}

/**
 * Initials only: the ops group is a chat many people read, and the SOPs promise the reporter's
 * identity stays confidential ("Identitas pelapor dijaga kerahasiaannya"). Full identity is given
 * on request, in private, to staff allowed to see it.
 */
export function maskedName(name: string | null | undefined): string | { key: string } {
  const words = (name ?? "")
    .trim()
    .split(/\s+/)
    .filter((w) => /\p{L}/u.test(w));
  if (words.length === 0) return { key: "staff.anonymous" };
  return words
    .slice(0, 3)
    .map((w) => `${[...w.replace(/^[^\p{L}]+/u, "")][0]!.toUpperCase()}.`)
    .join(" ");
}

export interface CardInput {
  kind: "complaint" | "information";
  ticket: string;
  category: string | null;
  channel: string;
  receivedAt: Date;
  step: SopStep;
  dueAt: Date;
  name: string | null | undefined;
  anonymous: boolean;
  evidence: number;
  text: string;
}

export interface CardView {
  locale: Locale;
  timeZone: string;
  replyMode: "reply" | "command";
}

/** Inline buttons of a card: (label template key, callback data). */
export function cardButtons(ticket: string): { labelKey: string; data: string }[][] {
  return [
    [
      { labelKey: "staff.button.close", data: `close:${ticket}` },
      { labelKey: "staff.button.history", data: `history:${ticket}` },
    ],
  ];
}

/** The card posted to staff for a new complaint or information request. */
export function cardReply(card: CardInput, view: CardView): Reply {
  return {
    key: "staff.card",
    vars: {
      kind: { key: card.kind === "information" ? "staff.kind.information" : "staff.kind.complaint" },
      ticket: card.ticket,
      category: card.category ?? "-",
      channel: channelLabel(card.channel),
      received: formatDateTime(card.receivedAt, view.locale, view.timeZone),
      step: card.step.label[view.locale],
      due: formatDateTime(card.dueAt, view.locale, view.timeZone),
      who: card.anonymous ? { key: "staff.anonymous" } : maskedName(card.name),
      evidence: card.evidence,
      text: card.text,
      hint: { key: view.replyMode === "command" ? "staff.card.hintCommand" : "staff.card.hintReply" },
    },
  };
}

export function followUpReply(ticket: string, text: string, files: number): Reply {
  return { key: files > 0 ? "staff.followup.files" : "staff.followup", vars: { ticket, text: text || "-", files } };
}

export function ratedReply(ticket: string, score: number, comment: string | undefined): Reply {
  return { key: "staff.rated", vars: { ticket, score, comment: comment ?? "-" } };
}
