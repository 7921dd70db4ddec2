import { findTicket, type StaffMessage } from "../core/index.js";
import type { StaffIntent } from "./intent.js";

export type { StaffIntent } from "./intent.js";

const COMMANDS: Record<string, StaffIntent["kind"]> = {
  balas: "reply",
  reply: "reply",
  catatan: "note",
  note: "note",
  selesai: "close",
  close: "close",
  tutup: "close",
  status: "status",
  cek: "status",
  riwayat: "history",
  history: "history",
  identitas: "identity",
  identity: "identity",
  daftar: "list",
  list: "list",
  bantuan: "help",
  help: "help",
  start: "help",
  lanjut: "advance",
  next: "advance",
  tugaskan: "assign",
  assign: "assign",
  putuskan: "decide",
  decide: "decide",
  teruskan: "forward",
  forward: "forward",
  arsip: "archive",
  archive: "archive",
  terlambat: "overdue",
  overdue: "overdue",
  logbook: "logbook",
  rekap: "recap",
  recap: "recap",
};

const DECISIONS: Record<string, "approve" | "reject"> = {
  setuju: "approve",
  disetujui: "approve",
  approve: "approve",
  approved: "approve",
  tolak: "reject",
  ditolak: "reject",
  reject: "reject",
  rejected: "reject",
};

const NOTE_PREFIX = /^(catatan|note)\s*:\s*/i;

/**
 * `/balas ADU-2026-00001 teks`, a Telegram reply to a card, or a card's button. In "command" mode
 * a plain reply is a note: offices choose it after a slip reached a citizen.
 */
export function parseStaffMessage(message: StaffMessage, replyMode: "reply" | "command"): StaffIntent {
  if (message.callbackData) {
    const [action, ticket] = message.callbackData.split(":", 2);
    if (action === "close") return { kind: "close", ticket };
    if (action === "history") return { kind: "history", ticket };
    return { kind: "unknownCommand", command: action ?? "" };
  }
  const text = message.text.trim();
  const command = /^\/([a-z_]+)(?:\s+([\s\S]*))?$/i.exec(text);
  if (command) {
    const name = command[1]!.toLowerCase();
    const kind = COMMANDS[name];
    if (!kind) return { kind: "unknownCommand", command: name };
    const rest = (command[2] ?? "").trim();
    const ticket = findTicket(rest.split(/\s+/)[0] ?? "");
    const body = ticket ? rest.slice(rest.split(/\s+/)[0]!.length).trim() : rest;
    switch (kind) {
      case "reply":
      case "note":
        return { kind, ticket, text: body };
      case "list":
      case "help":
      case "overdue":
        return { kind };
      case "advance":
      case "archive":
        return { kind, ticket, text: body };
      case "assign":
        return { kind, ticket, target: body.split(/\s+/)[0] ?? "" };
      case "forward":
        return { kind, ticket, agency: body };
      case "logbook": {
        const month = /\b(\d{4}-(?:0[1-9]|1[0-2]))\b/.exec(rest)?.[1];
        const format = /\bcsv\b/i.test(rest) ? "csv" : /\bxlsx\b/i.test(rest) ? "xlsx" : undefined;
        return { kind, month, format };
      }
      case "recap":
        return { kind, month: /\b(\d{4}-(?:0[1-9]|1[0-2]))\b/.exec(rest)?.[1] };
      case "decide": {
        const [word = "", ...rest] = body.split(/\s+/);
        const decision = DECISIONS[word.toLowerCase()];
        return decision ? { kind, ticket, decision, text: rest.join(" ") } : { kind, ticket, text: body };
      }
      case "unknownCommand":
      case "chatter":
        return { kind: "unknownCommand", command: name };
      default:
        return { kind, ticket };
    }
  }
  if (message.replyToMessageId === undefined) return { kind: "chatter" };
  if (NOTE_PREFIX.test(text)) return { kind: "note", text: text.replace(NOTE_PREFIX, "").trim() };
  if (replyMode === "command") return { kind: "note", text };
  return { kind: "reply", text };
}
