/**
 * `status <ticket>` by e-mail against the real Dovecot: a mail in a new thread "from" the citizen's
 * address (From: can be forged) learns nothing about the complaint without its tracking code; with
 * the code, any mail gets the status. Dovecot → adapter → the real pipeline → outbox → SMTP capture.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmailAdapter, EMAIL_LIMITS, type EmailAdapter } from "../../channels/email/index.js";
import { TRACKING_CODE_ALPHABET } from "../../src/core/index.js";
import { createOutboxWorker, type OutboxWorker } from "../../src/outbox/index.js";
import { dovecotAvailable, DOVECOT_MISSING, MemoryState, rawMail, startDovecot, type FakeDovecot } from "../fakes/dovecot.js";
import { startSmtpCapture, type SmtpCapture } from "../fakes/smtp-capture.js";
import { createTestPipeline, TICKET, type TestPipeline } from "../helpers/pipeline.js";

const CITIZEN = '"Siti Rahmawati" <siti.rahmawati@warga.example>';
const CODE = new RegExp(`(?:kode|code)\\W+([${TRACKING_CODE_ALPHABET}]{8})`, "i");

describe.skipIf(!dovecotAvailable)(
  `status by e-mail needs the tracking code${dovecotAvailable ? "" : ` — skipped: ${DOVECOT_MISSING}`}`,
  () => {
    let dovecot: FakeDovecot;
    let smtp: SmtpCapture;
    let t: TestPipeline;
    let worker: OutboxWorker | undefined;
    let adapter: EmailAdapter;
    let box: { user: string; password: string };

    beforeAll(async () => {
      [dovecot, smtp] = await Promise.all([startDovecot(), startSmtpCapture()]);
      box = dovecot.freshMailbox();
      t = await createTestPipeline({ limits: { email: EMAIL_LIMITS }, overrides: { onOutboxRows: () => worker?.notify() } });
      adapter = createEmailAdapter({
        imap: { host: dovecot.host, port: dovecot.port, secure: false, user: box.user, password: box.password, mailbox: "INBOX" },
        smtp: { host: smtp.host, port: smtp.port, secure: false },
        from: "aduan@kecamatan.example",
        officeName: "Kecamatan Uji",
        state: new MemoryState(),
        maxAttachmentBytes: 10 * 1024 * 1024,
        reconnect: { initialMs: 100, maxMs: 400 },
        idleDelayMs: 100,
      });
      worker = createOutboxWorker({
        db: t.db,
        adapters: new Map([["email", adapter]]),
        options: { pollIntervalMs: 50, baseDelayMs: 20 },
        log: () => undefined,
      });
      worker.start();
      await adapter.start((m) => t.pipeline.receive(m));
    });

    afterAll(async () => {
      await adapter?.stop();
      await worker?.stop();
      await t?.close();
      await smtp?.close();
      await dovecot?.stop();
    });

    it("answers a new thread from the citizen's address only with the code", async () => {
      await dovecot.deliver(readFileSync(join(import.meta.dirname, "..", "fixtures", "email", "new-complaint.eml")), box.user);
      const receipt = (await smtp.waitFor(1))[0]!.parsed;
      const ticket = TICKET.exec(receipt.subject ?? "")![0];
      const code = CODE.exec(receipt.text ?? "")?.[1];
      expect(code, receipt.text).toBeDefined();
      expect(receipt.text).toContain(`status ${ticket} ${code}`);

      // A forged mail: the citizen's From, someone else's Reply-To, a new thread.
      await dovecot.deliver(
        rawMail({
          from: CITIZEN,
          subject: "Cek status aduan",
          id: "<forged-status-1@attacker.example>",
          headers: { "Reply-To": "penyerang@attacker.example" },
          body: `status ${ticket}`,
        }),
        box.user,
      );
      const forged = (await smtp.waitFor(2))[1]!.parsed;
      expect(forged.text).toContain("kode pelacakan");
      expect(forged.text).not.toMatch(/Perilaku Pegawai|Tahap saat ini|Diterima:/);

      // With the code, a new thread gets the status.
      await dovecot.deliver(
        rawMail({ from: CITIZEN, subject: "Cek status aduan", id: "<status-2@warga.example>", body: `status ${ticket} ${code}` }),
        box.user,
      );
      const answered = (await smtp.waitFor(3))[2]!.parsed;
      expect(answered.text).toContain(`Status aduan ${ticket}`);
      expect(answered.text).toContain("Perilaku Pegawai");
      expect(answered.text).toContain("Tahap saat ini");
    });
  },
);
