import type { Readable } from "node:stream";

/** Enough for any password (PASSWORD_MAX_LENGTH characters of 4 bytes) and its line ending. */
const MAX_BYTES = 4096;

/**
 * The password on standard input: its first line, without the line ending. Never an argument, which
 * other users see in `ps` and the shell keeps in its history. On a terminal the typing is not echoed.
 */
export async function readPasswordLine(
  input: Readable & { isTTY?: boolean; setRawMode?: (on: boolean) => void },
  prompt?: (text: string) => void,
): Promise<string> {
  if (input.isTTY && input.setRawMode) return readFromTerminal(input as Readable & { setRawMode: (on: boolean) => void }, prompt);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(buf);
    size += buf.length;
    if (buf.includes(0x0a) || size > MAX_BYTES) break;
  }
  const text = Buffer.concat(chunks).subarray(0, MAX_BYTES).toString("utf8");
  return text.split("\n")[0]!.replace(/\r$/, "");
}

function readFromTerminal(input: Readable & { setRawMode: (on: boolean) => void }, prompt?: (text: string) => void): Promise<string> {
  prompt?.("Password: ");
  return new Promise((resolve, reject) => {
    let typed = "";
    input.setRawMode(true);
    input.setEncoding("utf8");
    const done = (error?: Error) => {
      input.setRawMode(false);
      input.off("data", onData);
      input.pause();
      prompt?.("\n");
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: string) => {
      for (const ch of data) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003" || ch === "\u0004") return done(new Error("cancelled"));
        if (ch === "\u007f" || ch === "\b") typed = [...typed].slice(0, -1).join("");
        else typed += ch;
      }
    };
    input.on("data", onData);
    input.resume();
  });
}
