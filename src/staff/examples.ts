import type { CommandKind } from "./intent.js";

const EXAMPLES: Partial<Record<CommandKind, string>> = {
  reply: "/balas ADU-2026-00001 Terima kasih, kami tindak lanjuti.",
  note: "/catatan ADU-2026-00001 Sudah dicek ke loket.",
  close: "/selesai ADU-2026-00001",
  identity: "/identitas ADU-2026-00001",
  advance: "/lanjut ADU-2026-00001 sudah diklarifikasi",
  assign: "/tugaskan ADU-2026-00001 kasi",
  decide: "/putuskan ADU-2026-00001 setuju tindak lanjuti",
  forward: "/teruskan ADU-2026-00001 Dinas Pekerjaan Umum",
  archive: "/arsip ADU-2026-00001",
};

/** How a command is written in the staff group, for the answers that say how to use it. */
export function commandExample(kind: CommandKind): string {
  return EXAMPLES[kind] ?? `/${kind} ADU-2026-00001`;
}
