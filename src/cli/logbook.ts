/**
 * npm run logbook -- --month YYYY-MM --format csv|xlsx [--separator ';'|,] [--out FILE]
 * The month's logbook (form FM-PDIP-03-02's columns first); prints the file's path as the last line.
 * CSV is separated by `;` (Excel with Indonesian regional settings) unless `--separator ,`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { loadConfig } from "../config/index.js";
import { openDatabase } from "../db/index.js";
import {
  cliIo,
  isEntryPoint,
  monthOption,
  parseCommandLine,
  LOGBOOK_FORMATS,
  logbookReport,
  reportSettings,
  runCommand,
  runAsScript,
  UsageError,
  type CliIo,
  type CsvSeparator,
  type LogbookFormat,
} from "../reports/index.js";

const USAGE = "usage: npm run logbook -- --month YYYY-MM --format csv|xlsx [--separator ';'|,] [--out FILE]";

/** The separator by its character or its name (a bare `;` needs quoting in a shell). */
const SEPARATORS: Record<string, CsvSeparator> = { ";": ";", semicolon: ";", ",": ",", comma: "," };

export function parseLogbookArgs(args: string[]): { month: string; format: LogbookFormat; out?: string; separator?: CsvSeparator } {
  const { values } = parseCommandLine(
    args,
    { month: { type: "string" }, format: { type: "string" }, out: { type: "string" }, separator: { type: "string" } },
    USAGE,
  );
  const month = monthOption(values.month, USAGE);
  // Without --format, the extension of --out decides, else xlsx.
  const implied = values.out ? extname(values.out).slice(1).toLowerCase() : "";
  const format = values.format ?? (LOGBOOK_FORMATS.includes(implied as LogbookFormat) ? implied : "xlsx");
  if (!LOGBOOK_FORMATS.includes(format as LogbookFormat)) throw new UsageError(`--format must be csv or xlsx (got "${format}")`);
  if (values.out !== undefined && values.out.trim() === "") throw new UsageError("--out needs a file name");
  let separator: CsvSeparator | undefined;
  if (values.separator !== undefined) {
    separator = SEPARATORS[values.separator.trim().toLowerCase()];
    if (!separator) throw new UsageError(`--separator must be ; or , (got "${values.separator}")`);
    if (format !== "csv") throw new UsageError("--separator is for --format csv");
  }
  return {
    month,
    format: format as LogbookFormat,
    ...(values.out ? { out: values.out } : {}),
    ...(separator ? { separator } : {}),
  };
}

export async function main(args: string[], env: NodeJS.ProcessEnv = process.env, ioOptions: Partial<CliIo> = {}): Promise<number> {
  const io = cliIo(ioOptions);
  return runCommand("logbook", io, async () => {
    const { month, format, out, separator } = parseLogbookArgs(args);
    const config = loadConfig(env, io.envFile);
    const settings = { ...reportSettings(config), clock: io.clock };
    const db = await openDatabase(config.DATABASE_URL, { identityKey: config.IDENTITY_KEY });
    try {
      const file = await logbookReport(db, month, format, settings, separator ? { separator } : {});
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
