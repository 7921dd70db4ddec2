import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { KanalError, type InboundAttachment } from "../../src/core/index.js";
import { AttachmentStore } from "../../src/storage/index.js";
import { HOSTILE, SAMPLES } from "../helpers/sample-files.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function store(max = 64 * 1024) {
  const dir = mkdtempSync(join(tmpdir(), "kanal-files-"));
  dirs.push(dir);
  return new AttachmentStore(dir, max);
}

/** Every file under the store's directory: what a refused file must never add to. */
function filesIn(s: AttachmentStore): string[] {
  if (!existsSync(s.root)) return [];
  return readdirSync(s.root, { recursive: true, encoding: "utf8" }).filter((f) => statSync(join(s.root, f)).isFile());
}

let fetches = 0;
const file = (bytes: Uint8Array, extra: Partial<InboundAttachment> = {}): InboundAttachment => ({
  kind: "image",
  mime: "image/png",
  size: bytes.byteLength,
  filename: "a.png",
  fetch: async () => {
    fetches += 1;
    return bytes;
  },
  ...extra,
});

describe("AttachmentStore", () => {
  it("stores a file once by content hash, under the type its bytes show", async () => {
    const s = store();
    const a = await s.accept(file(SAMPLES.png));
    const b = await s.accept(file(SAMPLES.png, { filename: "b.png" }));
    expect(a.accepted && b.accepted).toBe(true);
    if (!a.accepted || !b.accepted) return;
    expect(a.stored).toMatchObject({ mime: "image/png", size: SAMPLES.png.byteLength, filename: "a.png" });
    expect(a.stored.storagePath).toBe(b.stored.storagePath);
    expect(a.stored.id).not.toBe(b.stored.id);
    expect([...readFileSync(s.pathOf(a.stored.storagePath))]).toEqual([...SAMPLES.png]);
    expect(filesIn(s)).toHaveLength(1);
  });

  it("touches a file it already has, so the sweep's hour starts again for the row about to name it", async () => {
    const s = store();
    const first = await s.accept(file(SAMPLES.jpeg, { mime: "image/jpeg" }));
    if (!first.accepted) throw new Error("a JPEG is evidence");
    const path = s.pathOf(first.stored.storagePath);
    const dayAgo = new Date(Date.now() - 24 * 3_600_000);
    utimesSync(path, dayAgo, dayAgo);
    await s.accept(file(SAMPLES.jpeg, { mime: "image/jpeg" }));
    expect(statSync(path).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
  });

  it("declines by declared size without downloading, and by real size after", async () => {
    const s = store(1024);
    fetches = 0;
    expect(await s.accept(file(SAMPLES.pdf, { size: 1025 }))).toMatchObject({ accepted: false, reason: "tooLarge" });
    expect(fetches).toBe(0);
    // The declared size lied: the real one decides.
    expect(await s.accept(file(SAMPLES.pdf, { size: 3 }))).toMatchObject({ accepted: false, reason: "tooLarge" });
    expect(filesIn(s)).toEqual([]);
  });

  it("declines an empty file", async () => {
    const s = store();
    expect(await s.accept(file(new Uint8Array(0), { filename: "kosong.jpg" }))).toEqual({
      accepted: false,
      reason: "empty",
      filename: "kosong.jpg",
    });
    expect(filesIn(s)).toEqual([]);
  });

  it("declines over the conversation's remaining budget: before downloading when the declared size says so", async () => {
    const s = store();
    fetches = 0;
    expect(await s.accept(file(SAMPLES.pdf), { budgetBytes: SAMPLES.pdf.byteLength - 1 })).toMatchObject({
      accepted: false,
      reason: "quota",
    });
    expect(fetches).toBe(0);
    expect(await s.accept(file(SAMPLES.pdf, { size: 0 }), { budgetBytes: 100 })).toMatchObject({ accepted: false, reason: "quota" });
    expect(fetches).toBe(1);
    expect(filesIn(s)).toEqual([]);
    expect((await s.accept(file(SAMPLES.pdf), { budgetBytes: SAMPLES.pdf.byteLength })).accepted).toBe(true);
  });

  it("declines a download the channel cut off at the limit, and rethrows other failures", async () => {
    const s = store(10);
    const cut = file(new Uint8Array(0), { size: 0, fetch: async () => Promise.reject(new KanalError("KA_TOO_LARGE", "over")) });
    expect(await s.accept(cut)).toMatchObject({ accepted: false, reason: "tooLarge" });
    const expired = file(new Uint8Array(0), { fetch: async () => Promise.reject(new KanalError("KA_NOT_FOUND", "media link expired")) });
    expect(await s.accept(expired)).toMatchObject({ accepted: false, reason: "unavailable" });
    const broken = file(new Uint8Array(0), { fetch: async () => Promise.reject(new Error("ECONNRESET")) });
    await expect(s.accept(broken)).rejects.toThrow(/ECONNRESET/);
  });

  it("refuses what is not evidence whatever it is declared as, storing nothing, and says what it really is", async () => {
    const s = store();
    const exe = await s.accept(file(HOSTILE.exe, { mime: "image/jpeg", filename: "foto.jpg" }));
    expect(exe).toEqual({ accepted: false, reason: "type", mime: "application/x-msdownload", filename: "foto.jpg" });
    expect(await s.accept(file(HOSTILE.html, { mime: "image/png", filename: "bukti.png" }))).toEqual({
      accepted: false,
      reason: "type",
      filename: "bukti.png",
    });
    expect(filesIn(s)).toEqual([]);
  });

  it("corrects a declared type that lies about an allowed one: the stored mime and extension are the real ones", async () => {
    const s = store();
    const png = await s.accept(file(SAMPLES.png, { mime: "image/jpeg", filename: "scan.jpg" }));
    expect(png).toMatchObject({ accepted: true, stored: { mime: "image/png", filename: "scan.png" } });
    // Messenger declares every file application/octet-stream.
    const pdf = await s.accept(file(SAMPLES.pdf, { kind: "document", mime: "application/octet-stream", filename: "surat" }));
    expect(pdf).toMatchObject({ accepted: true, stored: { mime: "application/pdf", filename: "surat.pdf" } });
  });

  it("takes a shared location, and refuses JSON that only claims to be one", async () => {
    const s = store();
    const geo = await s.accept(file(SAMPLES.location, { kind: "location", mime: "application/geo+json", filename: "location.geojson" }));
    expect(geo).toMatchObject({ accepted: true, stored: { mime: "application/geo+json", filename: "location.geojson" } });
    const fake = await s.accept(file(HOSTILE.fakeLocation, { kind: "location", mime: "application/geo+json", filename: "x.geojson" }));
    expect(fake).toMatchObject({ accepted: false, reason: "type" });
  });

  it("cleans the name of an accepted and of a refused file", async () => {
    const s = store();
    const long = `${"a".repeat(70_000)}.jpg`;
    const ok = await s.accept(file(SAMPLES.jpeg, { mime: "image/jpeg", filename: long }));
    expect(ok.accepted && ok.stored.filename).toBe(`${"a".repeat(96)}.jpg`);
    const refused = await s.accept(file(HOSTILE.exe, { filename: `../../${"b".repeat(70_000)}\u0000.exe` }));
    expect(!refused.accepted && refused.filename).toBe(`${"b".repeat(96)}.exe`);
  });
});
