/**
 * The e-mail channel end to end, as the e-mail suites share it: Dovecot → adapter → the real
 * pipeline and its database (SQLite, or PostgreSQL with KANAL_TEST_DB=postgresql) → outbox worker →
 * adapter → SMTP capture. Skip the suite when `dovecotAvailable` (test/fakes/dovecot.ts) is false.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createEmailAdapter, EMAIL_LIMITS, type EmailAdapterOptions } from "../../channels/email/index.js";
import type { ChannelStateStore } from "../../src/core/index.js";
import type { Database } from "../../src/db/index.js";
import { createOutboxWorker } from "../../src/outbox/index.js";
import type { Pipeline } from "../../src/pipeline/index.js";
import { MemoryState, startDovecot, type FakeDovecot } from "../fakes/dovecot.js";
import { startSmtpCapture, type SmtpCapture } from "../fakes/smtp-capture.js";
import { createTestPipeline } from "./pipeline.js";

export interface EmailRigOptions {
  /** Where the adapter keeps its UIDs and threads: a fresh MemoryState unless given (production keeps them in the database). */
  state?: (db: Database) => ChannelStateStore;
  /** Adapter settings a suite needs beyond the rig's own (a trusted mail server, another answer limit). */
  adapter?: Partial<Omit<EmailAdapterOptions, "imap" | "smtp" | "state">>;
}

export interface EmailRig {
  dovecot: FakeDovecot;
  smtp: SmtpCapture;
  db: Database;
  pipeline: Pipeline;
  /** The office's inbox: a fresh mailbox of the rig's Dovecot. */
  box: { user: string; password: string };
  /** Appends a raw mail to the office's inbox, as delivery would. */
  deliver(raw: string | Buffer): Promise<number>;
  /** Stops what it started, the last started first. */
  close(): Promise<void>;
}

/** A mail of test/fixtures/email/. */
export const emailFixture = (name: string): Buffer => readFileSync(join(import.meta.dirname, "..", "fixtures", "email", name));

/** Starts the rig, its adapter watching the inbox; on a failure on the way, stops what had started. */
export async function startEmailRig(options: EmailRigOptions = {}): Promise<EmailRig> {
  const stops: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (let stop = stops.pop(); stop; stop = stops.pop()) await stop();
  };
  try {
    // Started together (Dovecot takes a while); settled, so that one failing leaves none running.
    const [dovecotStart, smtpStart] = await Promise.allSettled([startDovecot(), startSmtpCapture()]);
    if (dovecotStart.status === "fulfilled") stops.push(() => dovecotStart.value.stop());
    if (smtpStart.status === "fulfilled") stops.push(() => smtpStart.value.close());
    if (dovecotStart.status === "rejected") throw dovecotStart.reason;
    if (smtpStart.status === "rejected") throw smtpStart.reason;
    const [dovecot, smtp] = [dovecotStart.value, smtpStart.value];
    const box = dovecot.freshMailbox();

    // New outbox rows wake the worker, which needs the pipeline's database: it is told of them once it exists.
    let wake = () => {};
    const t = await createTestPipeline({ limits: { email: EMAIL_LIMITS }, overrides: { onOutboxRows: () => wake() } });
    stops.push(() => t.close());
    const adapter = createEmailAdapter({
      imap: { host: dovecot.host, port: dovecot.port, secure: false, user: box.user, password: box.password, mailbox: "INBOX" },
      smtp: { host: smtp.host, port: smtp.port, secure: false },
      from: "aduan@kecamatan.example",
      officeName: "Kecamatan Uji",
      state: options.state?.(t.db) ?? new MemoryState(),
      maxAttachmentBytes: 10 * 1024 * 1024,
      // Short waits, so that a reconnect or the return to IDLE never holds a test up for long.
      reconnect: { initialMs: 100, maxMs: 400 },
      idleDelayMs: 100,
      ...options.adapter,
    });
    const outbox = createOutboxWorker({
      db: t.db,
      adapters: new Map([["email", adapter]]),
      options: { pollIntervalMs: 50, baseDelayMs: 20 },
      log: () => undefined,
    });
    wake = () => outbox.notify();
    outbox.start();
    stops.push(() => outbox.stop());
    // Pushed before start: a start that fails half-way may have connected.
    stops.push(() => adapter.stop());
    await adapter.start((m) => t.pipeline.receive(m));

    return {
      dovecot,
      smtp,
      db: t.db,
      pipeline: t.pipeline,
      box,
      deliver: (raw) => dovecot.deliver(raw, box.user),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
