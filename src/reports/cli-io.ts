import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { describeError, KanalError } from "../core/index.js";
import { isMonth } from "./time.js";

/** Where a report command prints, and what it reads besides its arguments (tests replace all of it). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** The .env file that fills what the environment does not set. */
  envFile: string;
  /** The working directory default output paths are relative to. */
  cwd: string;
  clock: () => Date;
}

export function cliIo(io: Partial<CliIo> = {}): CliIo {
  return {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    envFile: ".env",
    cwd: process.cwd(),
    clock: () => new Date(),
    ...io,
  };
}

/** Bad arguments: one line on stderr, exit code 2. */
export class UsageError extends Error {}

/**
 * A command line read strictly (an unknown option or a missing value is refused), every refusal a
 * UsageError that ends with the command's usage line.
 */
export function parseCommandLine<const O extends NonNullable<ParseArgsConfig["options"]>, const P extends boolean = false>(
  args: string[],
  options: O,
  usage: string,
  allowPositionals?: P,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: (allowPositionals ?? false) as P });
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (${usage})`);
  }
}

/** `--month`: required, and a month as YYYY-MM. */
export function monthOption(month: string | undefined, usage: string): string {
  if (month === undefined) throw new UsageError(`--month is required, e.g. --month 2026-11 (${usage})`);
  if (!isMonth(month)) throw new UsageError(`--month must be a month as YYYY-MM, e.g. 2026-11 (got "${month}")`);
  return month;
}

/**
 * Runs a command body: exit 0 on success; 2 with one clear line for bad arguments or bad
 * configuration; 1 with the error's message for anything else (a database that cannot be opened).
 */
export async function runCommand(name: string, io: CliIo, body: () => Promise<void>): Promise<number> {
  try {
    await body();
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${name}: ${error.message}`);
      return 2;
    }
    if (error instanceof KanalError && (error.code === "KA_CONFIG" || error.code === "KA_BAD_REQUEST" || error.code === "KA_NOT_FOUND")) {
      io.err(`${name}: ${error.message}`);
      return 2;
    }
    io.err(`${name}: failed: ${(error as Error).message}`);
    return 1;
  }
}

/** True when `moduleUrl` is the script node was started with (not imported by a test). */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && fileURLToPath(moduleUrl) === resolve(script);
}

/**
 * Runs a command's main as the process (when it is the entry point): the number it resolves to is
 * the exit code; a rejection, which runCommand leaves no room for, exits 1 with its message.
 */
export function runAsScript(name: string, main: (args: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${name}: failed: ${describeError(error)}\n`);
      process.exitCode = 1;
    },
  );
}
