/**
 * npm run recap -- --month YYYY-MM [--out DIR]
 * Writes recap-YYYY-MM.json (the numbers) and recap-YYYY-MM.pdf (the report with charts) in DIR
 * (default ./data/reports); prints the JSON file's path as the last line.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadConfig } from "../config/index.js";
import { openDatabase } from "../db/index.js";
import {
  cliIo,
  isEntryPoint,
  monthOption,
  parseCommandLine,
  recapReport,
  reportSettings,
  runAsScript,
  runCommand,
  UsageError,
  type CliIo,
} from "../reports/index.js";

const USAGE = "usage: npm run recap -- --month YYYY-MM [--out DIR]";

export function parseRecapArgs(args: string[]): { month: string; out?: string } {
  const { values } = parseCommandLine(args, { month: { type: "string" }, out: { type: "string" } }, USAGE);
  const month = monthOption(values.month, USAGE);
  if (values.out !== undefined && values.out.trim() === "") throw new UsageError("--out needs a folder");
  return { month, ...(values.out ? { out: values.out } : {}) };
}

export async function main(args: string[], env: NodeJS.ProcessEnv = process.env, ioOptions: Partial<CliIo> = {}): Promise<number> {
  const io = cliIo(ioOptions);
  return runCommand("recap", io, async () => {
    const { month, out } = parseRecapArgs(args);
    const config = loadConfig(env, io.envFile);
    const settings = { ...reportSettings(config), clock: io.clock };
    const db = await openDatabase(config.DATABASE_URL, { identityKey: config.IDENTITY_KEY });
    try {
      const { recap, json, pdf } = await recapReport(db, month, settings);
      const dir = resolve(io.cwd, out ?? "data/reports");
      mkdirSync(dir, { recursive: true });
      const pdfPath = join(dir, pdf.filename);
      const jsonPath = join(dir, json.filename);
      writeFileSync(pdfPath, pdf.content);
      writeFileSync(jsonPath, json.content);
      io.out(
        `recap ${month}: ${recap.total} received, ${recap.open} open, ${recap.overdue} overdue, average rating ${recap.averageRating ?? "-"}`,
      );
      io.out(pdfPath);
      io.out(jsonPath);
    } finally {
      await db.close();
    }
  });
}

if (isEntryPoint(import.meta.url)) runAsScript("recap", main);
