/**
 * A real SMTP server (smtp-server) on 127.0.0.1 that keeps every mail it is given, raw and parsed,
 * and can refuse the next mails with a chosen reply code (451: try later, 550: never).
 * STARTTLS is disabled, else nodemailer upgrades and rejects the built-in certificate (NOTES.md).
 */
import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface CapturedMail {
  raw: Buffer;
  parsed: ParsedMail;
  envelope: { from: string; to: string[] };
  /** The AUTH user, when the client logged in. */
  user?: string;
}

export interface SmtpCapture {
  host: "127.0.0.1";
  port: number;
  mails: CapturedMail[];
  /** The next `count` mails are refused at the end of DATA with this code and text. */
  refuseNext(code: number, count?: number, text?: string): void;
  /** Resolves with the mails once at least `count` arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<CapturedMail[]>;
  close(): Promise<void>;
}

const DEFAULT_TEXT: Record<number, string> = {
  451: "4.3.0 Temporary local problem, try again later",
  550: "5.1.1 Mailbox unavailable: no such user",
};

export async function startSmtpCapture(): Promise<SmtpCapture> {
  const mails: CapturedMail[] = [];
  const refusals: { code: number; text: string }[] = [];

  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    authOptional: true,
    // A reverse DNS lookup of 127.0.0.1 can take seconds on a machine without a resolver.
    disableReverseLookup: true,
    logger: false,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", callback);
      stream.on("end", () => {
        const refusal = refusals.shift();
        if (refusal) {
          const error = Object.assign(new Error(refusal.text), { responseCode: refusal.code });
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            mails.push({
              raw,
              parsed,
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
                to: session.envelope.rcptTo.map((r) => r.address),
              },
              user: typeof session.user === "string" ? session.user : undefined,
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    host: "127.0.0.1",
    port,
    mails,
    refuseNext(code, count = 1, text) {
      for (let i = 0; i < count; i++) refusals.push({ code, text: text ?? DEFAULT_TEXT[code] ?? "refused" });
    },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (mails.length < count) {
        if (Date.now() > deadline) throw new Error(`smtp-capture: ${mails.length} of ${count} mails after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return mails;
    },
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
