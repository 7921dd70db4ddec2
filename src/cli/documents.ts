/**
 * npx tsx src/cli/documents.ts form <ticket> [--out FILE]
 * npx tsx src/cli/documents.ts letter <ticket> --to AGENCY [--number NUMBER] [--signer NAME] [--out FILE]
 * The complaint form FM-PDIP-03-01, or a Surat Pengantar forwarding the complaint; prints the PDF's path last.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../config/index.js";
import { findTicket } from "../core/index.js";
import { openDatabase } from "../db/index.js";
import {
  cliIo,
  complaintFormPdf,
  forwardingLetterPdf,
  isEntryPoint,
  runAsScript,
  runCommand,
  UsageError,
  type CliIo,
} from "../reports/index.js";

const USAGE =
  "usage: documents form <ticket> [--out FILE] | documents letter <ticket> --to AGENCY [--number NUMBER] [--signer NAME] [--out FILE]";

interface DocumentArgs {
  kind: "form" | "letter";
  ticket: string;
  to?: string;
  number?: string;
  signer?: string;
  out?: string;
}

export function parseDocumentArgs(args: string[]): DocumentArgs {
  let parsed: { values: { to?: string; number?: string; signer?: string; out?: string }; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      options: { to: { type: "string" }, number: { type: "string" }, signer: { type: "string" }, out: { type: "string" } },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (${USAGE})`);
  }
  const [kind, ticket, ...extra] = parsed.positionals;
  if (kind !== "form" && kind !== "letter") throw new UsageError(`say form or letter first (${USAGE})`);
  if (!ticket || extra.length > 0) throw new UsageError(`give one ticket, e.g. ADU-2026-00042 (${USAGE})`);
  const normalised = findTicket(ticket);
  if (!normalised || normalised !== ticket.trim().toUpperCase())
    throw new UsageError(`"${ticket}" is not a ticket number like ADU-2026-00042`);
  const { to, number, signer, out } = parsed.values;
  if (kind === "letter" && !to?.trim()) throw new UsageError(`a letter needs --to, the agency it goes to (${USAGE})`);
  return {
    kind,
    ticket: normalised,
    ...(to ? { to } : {}),
    ...(number ? { number } : {}),
    ...(signer ? { signer } : {}),
    ...(out ? { out } : {}),
  };
}

export async function main(args: string[], env: NodeJS.ProcessEnv = process.env, ioOptions: Partial<CliIo> = {}): Promise<number> {
  const io = cliIo(ioOptions);
  return runCommand("documents", io, async () => {
    const a = parseDocumentArgs(args);
    const config = loadConfig(env, io.envFile);
    const settings = { officeName: config.OFFICE_NAME, timeZone: config.OFFICE_TIMEZONE, locale: config.DEFAULT_LOCALE, clock: io.clock };
    const db = await openDatabase(config.DATABASE_URL, { identityKey: config.IDENTITY_KEY });
    try {
      const pdf =
        a.kind === "form"
          ? await complaintFormPdf(db, a.ticket, settings)
          : await forwardingLetterPdf(
              db,
              a.ticket,
              { to: a.to!, ...(a.number ? { number: a.number } : {}), ...(a.signer ? { signer: a.signer } : {}) },
              settings,
            );
      const path = resolve(io.cwd, a.out ?? `data/reports/${a.kind}-${a.ticket}.pdf`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, pdf);
      io.out(path);
    } finally {
      await db.close();
    }
  });
}

if (isEntryPoint(import.meta.url)) runAsScript("documents", main);
