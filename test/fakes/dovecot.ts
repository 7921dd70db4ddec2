/**
 * A real IMAP server for the e-mail tests: Debian's Dovecot with its own standalone config, mail
 * and state in a temporary directory, on 127.0.0.1 and a free port.
 * Tests skip when /usr/sbin/dovecot is missing (`apt-get install dovecot-imapd`; .ci/run does it).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, createConnection } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";
import type { ChannelStateStore } from "../../src/core/index.js";

export const DOVECOT_BIN = "/usr/sbin/dovecot";
const DOVEADM_BIN = "/usr/bin/doveadm";

/** False when Dovecot is not installed: the e-mail suites skip, saying why. */
export const dovecotAvailable = existsSync(DOVECOT_BIN);
export const DOVECOT_MISSING = "dovecot-imapd is not installed (/usr/sbin/dovecot): apt-get install -y dovecot-imapd";

const run = promisify(execFile);

export interface StoredMail {
  uid: number;
  flags: string[];
  messageId?: string;
  subject?: string;
}

export interface FakeDovecot {
  host: "127.0.0.1";
  port: number;
  /** The first user, with a fresh INBOX. */
  user: string;
  password: string;
  /** Another mailbox owner. Dovecot reads its passwd-file again at most once a second: this waits for that. */
  addUser(name: string, password: string): Promise<void>;
  /** A user with a fresh, empty INBOX, from a pool created at start (no waiting). */
  freshMailbox(): { user: string; password: string };
  /** Appends a raw RFC 5322 message to the user's INBOX with IMAP APPEND, as delivery would; returns its UID. */
  deliver(raw: string | Buffer, user?: string, flags?: string[]): Promise<number>;
  /** What the INBOX holds, with flags (read through a separate connection). */
  messages(user?: string): Promise<StoredMail[]>;
  /** Drops every IMAP connection of the user (doveadm kick): the server stays up. */
  kick(user?: string): Promise<void>;
  /** Drops every connection, stops and starts the server on the same port; mail survives. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Dovecot's own log, for a failing test. */
  log(): string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Resolves when something accepts connections on the port (or rejects after the timeout). */
async function waitForPort(port: number, up: boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: "127.0.0.1", port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open === up) return;
    if (Date.now() > deadline) throw new Error(`dovecot: port ${port} did not ${up ? "open" : "close"} in time`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function config(dir: string, port: number): string {
  const root = process.getuid?.() === 0;
  const me = userInfo();
  // As root, mail is owned by nobody (65534) and Dovecot's own users (dovecot, dovenull) run the
  // helpers; as another user everything runs as that user (untested here: CI and this machine are root).
  const identity = root
    ? ["mail_uid = 65534", "mail_gid = 65534", "first_valid_uid = 65534", "last_valid_uid = 0", "first_valid_gid = 0"]
    : [
        `mail_uid = ${me.uid}`,
        `mail_gid = ${me.gid}`,
        `first_valid_uid = ${me.uid}`,
        `default_internal_user = ${me.username}`,
        `default_login_user = ${me.username}`,
      ];
  return [
    "protocols = imap",
    "listen = 127.0.0.1",
    "ssl = no",
    "disable_plaintext_auth = no",
    "auth_mechanisms = plain login",
    // Dovecot waits 2 s before answering a wrong password; the wrong-password test needs no such wait.
    "auth_failure_delay = 0",

    `base_dir = ${dir}/run`,
    `state_dir = ${dir}/state`,
    `log_path = ${dir}/dovecot.log`,
    `info_log_path = ${dir}/dovecot.log`,
    `mail_location = maildir:${dir}/mail/%u/Maildir`,
    ...identity,
    "passdb {",
    "  driver = passwd-file",
    `  args = scheme=PLAIN username_format=%u ${dir}/users`,
    "}",
    "userdb {",
    "  driver = static",
    `  args = home=${dir}/mail/%u`,
    "}",
    // Nor the growing "auth penalty" anvil gives the client's IP after a failure: every test
    // connects from 127.0.0.1, and the next login would wait 2-15 s. This is the documented way
    // to turn it off (https://doc.dovecot.org/2.3/configuration_manual/authentication/auth_penalty/).
    "service anvil {",
    "  unix_listener anvil-auth-penalty {",
    "    mode = 0",
    "  }",
    "}",
    "service imap-login {",
    "  inet_listener imap {",
    "    address = 127.0.0.1",
    `    port = ${port}`,
    "  }",
    "  inet_listener imaps {",
    "    port = 0",
    "  }",
    "}",
    "",
  ].join("\n");
}

/** Users created with the server, handed out by freshMailbox(). */
const POOL_SIZE = 40;

export async function startDovecot(options: { user?: string; password?: string } = {}): Promise<FakeDovecot> {
  if (!dovecotAvailable) throw new Error(DOVECOT_MISSING);
  const dir = mkdtempSync(join(tmpdir(), "kanal-dovecot-"));
  // Dovecot's helpers (mail as nobody, auth as dovecot) must reach into the temp dir.
  chmodSync(dir, 0o755);
  for (const sub of ["run", "state", "mail"]) mkdirSync(join(dir, sub));
  if (process.getuid?.() === 0) chownSync(join(dir, "mail"), 65534, 65534);
  const users = join(dir, "users");
  writeFileSync(users, "", { mode: 0o644 });
  const conf = join(dir, "dovecot.conf");
  const port = await freePort();
  writeFileSync(conf, config(dir, port));

  const passwords = new Map<string, string>();
  const user = options.user ?? "kantor";
  const password = options.password ?? "rahasia-uji";

  let master: ChildProcess | undefined;

  async function start(): Promise<void> {
    // -F: the master stays in the foreground as our child, so stopping it needs no pid file.
    const child = spawn(DOVECOT_BIN, ["-F", "-c", conf], { stdio: "ignore" });
    master = child;
    const exited = new Promise<never>((_, reject) => {
      child.once("exit", (code) => reject(new Error(`dovecot exited at start (code ${code}):\n${readLog()}`)));
      child.once("error", reject);
    });
    await Promise.race([waitForPort(port, true), exited]);
  }

  async function halt(): Promise<void> {
    // Sessions can outlive a stopped master (seen here with SIGTERM): drop them first, so a
    // restart really cuts every client off.
    await run(DOVEADM_BIN, ["-c", conf, "kick", "*"]).catch(() => undefined);
    const child = master;
    master = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    await waitForPort(port, false);
  }

  const readLog = () => (existsSync(join(dir, "dovecot.log")) ? readFileSync(join(dir, "dovecot.log"), "utf8") : "");

  const addUser = async (name: string, pass: string) => {
    passwords.set(name, pass);
    appendFileSync(users, `${name}:{PLAIN}${pass}\n`);
    // Dovecot looks at the passwd-file's mtime at most once per second (passwd_file_sync in
    // db-passwd-file.c): a login in the same second as the last lookup would not see the new user.
    const second = Math.floor(Date.now() / 1000);
    while (Math.floor(Date.now() / 1000) === second) await new Promise((r) => setTimeout(r, 20));
  };
  let pooled = 0;

  async function withClient<T>(name: string, work: (client: ImapFlow) => Promise<T>): Promise<T> {
    const pass = passwords.get(name);
    if (pass === undefined) throw new Error(`dovecot: unknown user ${name}`);
    const client = new ImapFlow({
      host: "127.0.0.1",
      port,
      secure: false,
      doSTARTTLS: false,
      auth: { user: name, pass },
      logger: false,
      disableAutoIdle: true,
    });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  const pool: string[] = [];
  for (let i = 1; i <= POOL_SIZE; i++) pool.push(`box${i}:{PLAIN}box${i}-pw`);
  for (let i = 1; i <= POOL_SIZE; i++) passwords.set(`box${i}`, `box${i}-pw`);
  passwords.set(user, password);
  appendFileSync(users, [`${user}:{PLAIN}${password}`, ...pool, ""].join("\n"));
  await start();

  return {
    host: "127.0.0.1",
    port,
    user,
    password,
    addUser,
    freshMailbox() {
      pooled++;
      if (pooled > POOL_SIZE) throw new Error(`dovecot: only ${POOL_SIZE} pooled mailboxes; use addUser()`);
      return { user: `box${pooled}`, password: `box${pooled}-pw` };
    },
    deliver(raw, name = user, flags = []) {
      return withClient(name, async (client) => {
        const appended = await client.append("INBOX", typeof raw === "string" ? Buffer.from(raw, "utf8") : raw, flags);
        if (!appended || appended.uid === undefined) throw new Error("dovecot: APPEND did not return a UID");
        return appended.uid;
      });
    },
    messages(name = user) {
      return withClient(name, async (client) => {
        const lock = await client.getMailboxLock("INBOX");
        try {
          if (!client.mailbox || client.mailbox.exists === 0) return [];
          const found: StoredMail[] = [];
          for await (const m of client.fetch("1:*", { uid: true, flags: true, envelope: true })) {
            found.push({ uid: m.uid, flags: [...(m.flags ?? [])], messageId: m.envelope?.messageId, subject: m.envelope?.subject });
          }
          return found.sort((a, b) => a.uid - b.uid);
        } finally {
          lock.release();
        }
      });
    },
    async kick(name = user) {
      await run(DOVEADM_BIN, ["-c", conf, "kick", name]).catch((error: Error & { stdout?: string }) => {
        // doveadm exits with 68 and "no users kicked" when nobody was connected.
        if (!/no users/i.test(error.stdout ?? "")) throw error;
      });
    },
    async restart() {
      await halt();
      await start();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
    log: readLog,
  };
}

// Small tools for the e-mail tests.

/** The channel state store as src/main/channels.ts gives it (database-backed there), with a log of writes. */
export class MemoryState implements ChannelStateStore {
  readonly values = new Map<string, string>();
  readonly writes: string[] = [];
  async get(key: string) {
    return this.values.get(key);
  }
  async set(key: string, value: string) {
    this.writes.push(key);
    this.values.set(key, value);
  }
}

export async function eventually<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 8000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A plain UTF-8 mail from a citizen; `headers` add to (or replace) the usual ones. */
export function rawMail(o: {
  from?: string;
  to?: string;
  subject: string;
  id: string;
  body: string;
  headers?: Record<string, string>;
}): string {
  const headers = {
    From: o.from ?? '"Budi Santoso" <budi@warga.example>',
    To: o.to ?? "aduan@kantor.example",
    Subject: o.subject,
    Date: "Mon, 05 Jan 2026 09:00:00 +0700",
    "Message-ID": o.id,
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Transfer-Encoding": "8bit",
    ...o.headers,
  };
  return `${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\r\n")}\r\n\r\n${o.body.replace(/\r?\n/g, "\r\n")}\r\n`;
}
