import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { KanalError, type InboundAttachment } from "../../src/core/index.js";
import { AttachmentStore } from "../../src/storage/index.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function store(max = 1024) {
  const dir = mkdtempSync(join(tmpdir(), "kanal-files-"));
  dirs.push(dir);
  return new AttachmentStore(dir, max);
}

const file = (bytes: Uint8Array, extra: Partial<InboundAttachment> = {}): InboundAttachment => ({
  kind: "image",
  mime: "image/png",
  size: bytes.byteLength,
  filename: "a.png",
  fetch: async () => bytes,
  ...extra,
});

describe("AttachmentStore", () => {
  it("stores a file once by content hash", async () => {
    const s = store();
    const a = await s.accept(file(new Uint8Array([1, 2, 3])));
    const b = await s.accept(file(new Uint8Array([1, 2, 3]), { filename: "b.png" }));
    expect(a.accepted && b.accepted).toBe(true);
    if (!a.accepted || !b.accepted) return;
    expect(a.stored.storagePath).toBe(b.stored.storagePath);
    expect(a.stored.id).not.toBe(b.stored.id);
    expect([...readFileSync(s.pathOf(a.stored.storagePath))]).toEqual([1, 2, 3]);
  });

  it("declines by declared size without downloading, and by real size after", async () => {
    const s = store(10);
    let fetched = false;
    const big = await s.accept(file(new Uint8Array(5), { size: 11, fetch: async () => ((fetched = true), new Uint8Array(5)) }));
    expect(big).toMatchObject({ accepted: false, reason: "tooLarge" });
    expect(fetched).toBe(false);
    expect(await s.accept(file(new Uint8Array(20), { size: 3 }))).toMatchObject({ accepted: false, reason: "tooLarge" });
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

  it("declines types that are not evidence, and takes a shared location", async () => {
    const s = store();
    expect(await s.accept(file(new Uint8Array(3), { mime: "application/x-msdownload", filename: "x.exe" }))).toMatchObject({
      accepted: false,
      reason: "type",
    });
    const geo = new TextEncoder().encode('{"type":"Point","coordinates":[115.2,-8.6]}');
    expect((await s.accept(file(geo, { kind: "location", mime: "application/geo+json", filename: undefined }))).accepted).toBe(true);
  });
});
