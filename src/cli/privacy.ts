/**
 * npm run privacy -- export <ticket> [--out DIR]   everything held about the complainant: JSON + PDF
 * npm run privacy -- erase <ticket> --reason "…" [--force]   anonymise on request (open: only with --force)
 * npm run privacy -- audit <ticket>                every view of (and attempt to view) the identity
 * npm run privacy -- rotate-key                    re-encrypt every identity under a new key
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadConfig } from "../config/index.js";
import { KanalError } from "../core/index.js";
import { openDatabase, type Database } from "../db/index.js";
import {
  ERASED_EVENT,
  eraseComplaint,
  findComplaint,
  identityAudit,
  rotateIdentityKey,
  subjectData,
  subjectPdf,
} from "../privacy/index.js";
import { cliIo, isEntryPoint, parseCommandLine, runAsScript, runCommand, UsageError, type CliIo } from "../reports/index.js";

const USAGE = 'usage: npm run privacy -- export <ticket> [--out DIR] | erase <ticket> --reason "…" [--force] | audit <ticket> | rotate-key';

interface Parsed {
  command: "export" | "erase" | "audit" | "rotate-key";
  ticket?: string;
  out?: string;
  reason?: string;
  force: boolean;
}

export function parsePrivacyArgs(args: string[]): Parsed {
  const parsed = parseCommandLine(args, { out: { type: "string" }, reason: { type: "string" }, force: { type: "boolean" } }, USAGE, true);
  const [command, ticket, ...extra] = parsed.positionals;
  const { values } = parsed;
  if (command !== "export" && command !== "erase" && command !== "audit" && command !== "rotate-key") throw new UsageError(USAGE);
  if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(" ")} (${USAGE})`);
  if (command === "rotate-key") {
    if (ticket !== undefined) throw new UsageError(`rotate-key takes no ticket (${USAGE})`);
    return { command, force: false };
  }
  if (ticket === undefined) throw new UsageError(`${command} needs a ticket, e.g. ADU-2026-00001 (${USAGE})`);
  if (command === "erase" && (values.reason === undefined || values.reason.trim() === "")) {
    throw new UsageError(`erase needs --reason "…": why the data is erased is part of the record (${USAGE})`);
  }
  if (values.out !== undefined && command !== "export") throw new UsageError(`--out is for export (${USAGE})`);
  return {
    command,
    ticket: ticket.trim().toUpperCase(),
    force: values.force === true,
    ...(values.out !== undefined ? { out: values.out } : {}),
    ...(values.reason !== undefined ? { reason: values.reason.trim() } : {}),
  };
}

async function complaintOf(db: Database, ticket: string) {
  const complaint = await findComplaint(db, ticket);
  if (!complaint) throw new KanalError("KA_NOT_FOUND", `no complaint ${ticket}`);
  return complaint;
}

/** The CLI's own actions on a complaint are audited beside the staff's. */
async function recordEvent(db: Database, complaintId: string, type: string, data: Record<string, unknown>, now: Date) {
  await db.prisma.complaintEvent.create({
    data: { id: randomUUID(), complaintId, type, actor: "system:privacy-cli", data: JSON.stringify(data), createdAt: now },
  });
}

export async function main(args: string[], env: NodeJS.ProcessEnv = process.env, ioOptions: Partial<CliIo> = {}): Promise<number> {
  const io = cliIo(ioOptions);
  return runCommand("privacy", io, async () => {
    const request = parsePrivacyArgs(args);
    const config = loadConfig(env, io.envFile);
    // The configuration alone decides the key (not a variable the caller's process happens to have).
    const db = await openDatabase(config.DATABASE_URL, {
      identityKey: config.IDENTITY_KEY ?? "",
      identityKeyFile: resolve(io.cwd, "data/identity.key"),
      log: (m, f) => io.err(`${m} ${JSON.stringify(f ?? {})}`),
    });
    try {
      const now = io.clock();
      if (request.command === "rotate-key") {
        const result = await rotateIdentityKey(db);
        io.out(
          `identities re-encrypted under key ${result.keyId}: ${result.resealed.complainants} complainants, ${result.resealed.identities} accounts, ${result.resealed.conversations} drafts`,
        );
        io.out(
          result.source === "file"
            ? "the key file now holds only the new key: restart every instance, and back the file up again (apart from the database)"
            : "IDENTITY_KEY: keep only the first key now, restart every instance, and keep a copy of it apart from the database",
        );
        return;
      }
      const complaint = await complaintOf(db, request.ticket!);
      if (request.command === "audit") {
        const entries = await identityAudit(db, complaint.id);
        io.out(`${complaint.ticket}: ${entries.length} identity view(s)`);
        for (const e of entries) {
          const where = typeof e.data.chat === "string" ? ` via ${e.data.chat}` : "";
          io.out(
            `${e.at.toISOString()}  ${e.actor}  ${e.shown ? "shown" : `refused (role ${typeof e.data.role === "string" ? e.data.role : "-"})`}${where}`,
          );
        }
        return;
      }
      if (request.command === "export") {
        const data = await subjectData(db, complaint.id);
        const dir = resolve(io.cwd, request.out ?? "data/exports");
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const base = join(dir, `privacy-${complaint.ticket}`);
        writeFileSync(`${base}.json`, `${JSON.stringify({ exportedAt: now, ticket: complaint.ticket, ...data }, null, 2)}\n`, {
          mode: 0o600,
        });
        writeFileSync(`${base}.pdf`, await subjectPdf(data, { office: config.OFFICE_NAME, ticket: complaint.ticket, at: now }), {
          mode: 0o600,
        });
        await recordEvent(db, complaint.id, "privacy.exported", { complaints: data.complaints.length }, now);
        io.out(`${complaint.ticket}: ${data.complaints.length} complaint(s), ${data.conversations.length} conversation(s) exported`);
        io.out(`${base}.json`);
        io.out(`${base}.pdf`);
        return;
      }
      const erased = await db.prisma.complaintEvent.count({ where: { complaintId: complaint.id, type: ERASED_EVENT } });
      if (erased > 0) throw new KanalError("KA_BAD_REQUEST", `${complaint.ticket} is erased already`);
      if (complaint.status !== "closed" && !request.force) {
        throw new KanalError(
          "KA_BAD_REQUEST",
          `${complaint.ticket} is still ${complaint.status}: close it first, or erase it anyway with --force`,
        );
      }
      const result = await eraseComplaint(db, {
        complaintId: complaint.id,
        why: "request",
        actor: "system:privacy-cli",
        reason: request.reason!,
        now,
        attachmentsDir: resolve(io.cwd, config.ATTACHMENTS_DIR),
      });
      io.out(
        `${complaint.ticket} erased: identity ${result.identity ? "erased" : "detached (the complainant has other complaints)"}, ${result.messages} message(s), ${result.files} file(s); the statistics stay`,
      );
    } finally {
      await db.close();
    }
  });
}

if (isEntryPoint(import.meta.url)) runAsScript("privacy", main);
