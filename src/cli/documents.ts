/**
 * npx tsx src/cli/documents.ts form <ticket> [--out FILE]
 * npx tsx src/cli/documents.ts letter <ticket> --to AGENCY [--number NUMBER] [--signer NAME] [--nip NIP] [--out FILE]
 * npx tsx src/cli/documents.ts evidence <ticket> [--out FILE]
 * The complaint form, a Surat Pengantar forwarding the complaint, or a ZIP of its evidence files;
 * prints the file's path last.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { loadConfig } from "../config/index.js";
import { findTicket } from "../core/index.js";
import { openDatabase } from "../db/index.js";
import {
  cliIo,
  complaintFormPdf,
  evidenceReport,
  forwardingLetterPdf,
  isEntryPoint,
  parseCommandLine,
  reportSettings,
  runAsScript,
  runCommand,
  UsageError,
  type CliIo,
} from "../reports/index.js";

const USAGE =
  "usage: documents form <ticket> [--out FILE] | documents letter <ticket> --to AGENCY [--number NUMBER] [--signer NAME] [--nip NIP] [--out FILE] | documents evidence <ticket> [--out FILE]";

const KINDS = ["form", "letter", "evidence"] as const;
type DocumentKind = (typeof KINDS)[number];

interface DocumentArgs {
  kind: DocumentKind;
  ticket: string;
  to?: string;
  number?: string;
  signer?: string;
  nip?: string;
  out?: string;
}

export function parseDocumentArgs(args: string[]): DocumentArgs {
  const parsed = parseCommandLine(
    args,
    { to: { type: "string" }, number: { type: "string" }, signer: { type: "string" }, nip: { type: "string" }, out: { type: "string" } },
    USAGE,
    true,
  );
  const [kind, ticket, ...extra] = parsed.positionals;
  if (!KINDS.includes(kind as DocumentKind)) throw new UsageError(`say form, letter or evidence first (${USAGE})`);
  if (!ticket || extra.length > 0) throw new UsageError(`give one ticket, e.g. ADU-2026-00042 (${USAGE})`);
  const normalised = findTicket(ticket);
  if (!normalised || normalised !== ticket.trim().toUpperCase())
    throw new UsageError(`"${ticket}" is not a ticket number like ADU-2026-00042`);
  const { to, number, signer, nip, out } = parsed.values;
  if (kind === "letter" && !to?.trim()) throw new UsageError(`a letter needs --to, the agency it goes to (${USAGE})`);
  if (kind !== "letter" && (to ?? number ?? signer ?? nip) !== undefined)
    throw new UsageError(`--to, --number, --signer and --nip belong to a letter (${USAGE})`);
  // A NIP is 18 digits (written in groups); anything else is a typo that would go out under a signature.
  if (nip !== undefined && !/^\d{18}$/.test(nip.replace(/\s+/g, "")))
    throw new UsageError(`--nip must be the signer's 18-digit NIP, e.g. "19720809 199201 2 002" (got "${nip}")`);
  return {
    kind: kind as DocumentKind,
    ticket: normalised,
    ...(to ? { to } : {}),
    ...(number ? { number } : {}),
    ...(signer ? { signer } : {}),
    ...(nip ? { nip } : {}),
    ...(out ? { out } : {}),
  };
}

export async function main(args: string[], env: NodeJS.ProcessEnv = process.env, ioOptions: Partial<CliIo> = {}): Promise<number> {
  const io = cliIo(ioOptions);
  return runCommand("documents", io, async () => {
    const a = parseDocumentArgs(args);
    const config = loadConfig(env, io.envFile);
    const settings = { ...reportSettings(config), clock: io.clock };
    const db = await openDatabase(config.DATABASE_URL, { identityKey: config.IDENTITY_KEY });
    try {
      let content: Buffer;
      let name: string;
      if (a.kind === "evidence") {
        const evidence = await evidenceReport(db, a.ticket, resolve(io.cwd, config.ATTACHMENTS_DIR));
        for (const missing of evidence.missing) io.err(`documents: ${missing} is no longer stored; left out of the ZIP`);
        content = evidence.content;
        name = evidence.filename;
      } else if (a.kind === "form") {
        content = await complaintFormPdf(db, a.ticket, settings);
        name = `form-${a.ticket}.pdf`;
      } else {
        const input = {
          to: a.to!,
          ...(a.number ? { number: a.number } : {}),
          ...(a.signer ? { signer: a.signer } : {}),
          ...(a.nip ? { nip: a.nip } : {}),
        };
        content = await forwardingLetterPdf(db, a.ticket, input, settings);
        name = `letter-${a.ticket}.pdf`;
      }
      const path = resolve(io.cwd, a.out ?? `data/reports/${name}`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      io.out(path);
    } finally {
      await db.close();
    }
  });
}

if (isEntryPoint(import.meta.url)) runAsScript("documents", main);
