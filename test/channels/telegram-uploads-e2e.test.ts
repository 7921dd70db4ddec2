/**
 * Issue 13 (uploads) through a real channel: the whole bot with Telegram long polling against the
 * fake Bot API. A photo at the menu is never even downloaded (no getFile); evidence at the evidence
 * step is, and is stored under the type its bytes show; an executable sent as a "JPEG" document is
 * refused and named for what it is.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.js";
import { ANONYMOUS_INTAKE } from "../helpers/pipeline.js";
import { HOSTILE, SAMPLES } from "../helpers/sample-files.js";
import { privateText, startFakeBotApi, type FakeBotApi } from "../fakes/telegram-bot-api.js";

const CITIZEN = 700200;

let api: FakeBotApi;
let app: TestApp;
let messageId = 2000;

beforeAll(async () => {
  api = await startFakeBotApi();
  app = await startApp({ env: { TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.url } });
});

afterAll(async () => {
  await app?.close();
  await api?.close();
});

const toCitizen = () => api.sent(CITIZEN).map((m) => m.text ?? "");

async function citizenSays(text: string): Promise<void> {
  const before = toCitizen().length;
  api.pushUpdate({ message: privateText(CITIZEN, ++messageId, text) });
  await api.until(() => toCitizen().length > before, 20_000, `an answer to ${text}`);
}

function photo(fileId: string, bytes: Uint8Array) {
  api.files.register(fileId, bytes, `photos/${fileId}.jpg`);
  const { text: _text, ...base } = privateText(CITIZEN, ++messageId, "");
  return { ...base, photo: [{ file_id: fileId, file_unique_id: `u${fileId}`, file_size: bytes.byteLength, width: 4, height: 4 }] };
}

function document(fileId: string, bytes: Uint8Array, fileName: string, mime: string) {
  api.files.register(fileId, bytes, `documents/${fileId}`);
  const { text: _text, ...base } = privateText(CITIZEN, ++messageId, "");
  return {
    ...base,
    document: { file_id: fileId, file_unique_id: `u${fileId}`, file_name: fileName, mime_type: mime, file_size: bytes.byteLength },
  };
}

/** Sends a file message and waits for the first new answer matching `waitFor`. */
async function send(message: object, waitFor: RegExp): Promise<string> {
  const before = toCitizen().length;
  api.pushUpdate({ message });
  return api.until(
    () =>
      toCitizen()
        .slice(before)
        .find((t) => waitFor.test(t)),
    20_000,
    String(waitFor),
  );
}

describe("Telegram: files only for a complaint, typed by their bytes", () => {
  it("a photo at the menu: never downloaded, nothing stored, the bot explains", async () => {
    await citizenSays("halo");
    const reply = await send(photo("menu-photo", SAMPLES.jpeg), /hanya dapat kami terima saat Bapak\/Ibu sedang menulis aduan/);
    expect(reply).toMatch(/pilih 1 untuk membuat aduan/);
    expect(api.callsTo("getFile").filter((c) => c.params.file_id === "menu-photo")).toEqual([]);
    expect(await app.db.prisma.attachment.count()).toBe(0);
  });

  it("at the evidence step a photo is downloaded and kept; an executable labelled JPEG is refused for what it is", async () => {
    for (const text of ANONYMOUS_INTAKE.slice(0, 4)) await citizenSays(text);
    await send(photo("evidence-photo", SAMPLES.jpeg), /total 1 berkas/);
    const refused = await send(document("fake-jpeg", HOSTILE.exe, "foto.jpg", "image/jpeg"), /belum dapat kami terima/);
    expect(refused).toContain("application/x-msdownload");
    expect(api.callsTo("getFile").map((c) => c.params.file_id)).toEqual(["evidence-photo", "fake-jpeg"]);
    const rows = await app.db.prisma.attachment.findMany();
    expect(rows.map((r) => r.mime)).toEqual(["image/jpeg"]);
  });
});
