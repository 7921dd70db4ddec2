/**
 * npm run logbook -- --month YYYY-MM --format csv|xlsx [--out FILE]
 * The month's logbook (form FM-PDIP-03-02's columns first); prints the file's path as the last line.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../config/index.js";
import { openDatabase } from "../db/index.js";
import {
  cliIo,
  isEntryPoint,
  isMonth,
  LOGBOOK_FORMATS,
  logbookReport,
  reportSettings,
  runCommand,
  runAsScript,
  UsageError,
  type CliIo,
  type LogbookFormat,
} from "../reports/index.js";

const USAGE = "usage: npm run logbook -- --month YYYY-MM --format csv|xlsx [--out FILE]";

export function parseLogbookArgs(args: string[]): { month: string; format: LogbookFormat; out?: string } {
  let values: { month?: string; format?: string; out?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { month: { type: "string" }, format: { type: "string" }, out: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (${USAGE})`);
  }
  if (values.month === undefined) throw new UsageError(`--month is required, e.g. --month 2026-11 (${USAGE})`);
  if (!isMonth(values.month)) throw new UsageError(`--month must be a month as YYYY-MM, e.g. 2026-11 (got "${values.month}")`);
  // Without --format, the extension of --out decides, else xlsx.
  const implied = values.out ? extname(values.out).slice(1).toLowerCase() : "";
  const format = values.format ?? (LOGBOOK_FORMATS.includes(implied as LogbookFormat) ? implied : "xlsx");
  if (!LOGBOOK_FORMATS.includes(format as LogbookFormat)) throw new UsageError(`--format must be csv or xlsx (got "${format}")`);
  if (values.out !== undefined && values.out.trim() === "") throw new UsageError("--out needs a file name");
  return { month: values.month, format: format as LogbookFormat, ...(values.out ? { out: values.out } : {}) };
}

export async function main(args: string[], env: NodeJS.ProcessEnv = process.env, ioOptions: Partial<CliIo> = {}): Promise<number> {
  const io = cliIo(ioOptions);
  return runCommand("logbook", io, async () => {
    const { month, format, out } = parseLogbookArgs(args);
    const config = loadConfig(env, io.envFile);
    const settings = { ...reportSettings(config), clock: io.clock };
    const db = await openDatabase(config.DATABASE_URL, { identityKey: config.IDENTITY_KEY });
    try {
      const file = await logbookReport(db, month, format, settings);
      const path = resolve(io.cwd, out ?? `data/reports/${file.filename}`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content);
      io.out(`logbook ${month}: ${file.rows} ${file.rows === 1 ? "row" : "rows"} (${format})`);
      io.out(path);
    } finally {
      await db.close();
    }
  });
}

if (isEntryPoint(import.meta.url)) runAsScript("logbook", main);
