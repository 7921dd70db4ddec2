/**
 * `status <ticket>` by e-mail against the real Dovecot: a mail in a new thread "from" the citizen's
 * address (From: can be forged) learns nothing about the complaint without its tracking code; with
 * the code, any mail gets the status. Dovecot → adapter → the real pipeline → outbox → SMTP capture.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRACKING_CODE_ALPHABET } from "../../src/core/index.js";
import { dovecotAvailable, DOVECOT_MISSING, rawMail } from "../fakes/dovecot.js";
import { emailFixture, startEmailRig, type EmailRig } from "../helpers/email-rig.js";
import { TICKET } from "../helpers/pipeline.js";

const CITIZEN = '"Siti Rahmawati" <siti.rahmawati@warga.example>';
const CODE = new RegExp(`(?:kode|code)\\W+([${TRACKING_CODE_ALPHABET}]{8})`, "i");

describe.skipIf(!dovecotAvailable)(
  `status by e-mail needs the tracking code${dovecotAvailable ? "" : ` — skipped: ${DOVECOT_MISSING}`}`,
  () => {
    let rig: EmailRig;

    beforeAll(async () => {
      rig = await startEmailRig();
    });

    afterAll(async () => {
      await rig?.close();
    });

    it("answers a new thread from the citizen's address only with the code", async () => {
      await rig.deliver(emailFixture("new-complaint.eml"));
      const receipt = (await rig.smtp.waitFor(1))[0]!.parsed;
      const ticket = TICKET.exec(receipt.subject ?? "")![0];
      const code = CODE.exec(receipt.text ?? "")?.[1];
      expect(code, receipt.text).toBeDefined();
      expect(receipt.text).toContain(`status ${ticket} ${code}`);

      // A forged mail: the citizen's From, someone else's Reply-To, a new thread.
      await rig.deliver(
        rawMail({
          from: CITIZEN,
          subject: "Cek status aduan",
          id: "<forged-status-1@attacker.example>",
          headers: { "Reply-To": "penyerang@attacker.example" },
          body: `status ${ticket}`,
        }),
      );
      const forged = (await rig.smtp.waitFor(2))[1]!.parsed;
      expect(forged.text).toContain("kode pelacakan");
      expect(forged.text).not.toMatch(/Perilaku Pegawai|Tahap saat ini|Diterima:/);

      // With the code, a new thread gets the status.
      await rig.deliver(
        rawMail({ from: CITIZEN, subject: "Cek status aduan", id: "<status-2@warga.example>", body: `status ${ticket} ${code}` }),
      );
      const answered = (await rig.smtp.waitFor(3))[2]!.parsed;
      expect(answered.text).toContain(`Status aduan ${ticket}`);
      expect(answered.text).toContain("Perilaku Pegawai");
      expect(answered.text).toContain("Tahap saat ini");
    });
  },
);
