/**
 * What the channels share (channels/shared): splitting text over a provider's limit, resuming a
 * message whose first parts went out before a failure, and telling a failure worth retrying from
 * one that is not. No provider, no network.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createPartSender,
  isNetworkErrorCode,
  readUpload,
  sizeOf,
  splitText,
  type PartResult,
  type TextUnit,
} from "../../channels/shared/index.js";

const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;
const isSpace = (ch: string) => /\s/.test(ch);

/**
 * Walks the text along the parts: each part must be the text's next run of characters, with only
 * whitespace skipped between them. Returns, for each cut, whether it fell inside a word.
 */
function alignParts(text: string, parts: string[]): { midWord: boolean[] } {
  let pos = 0;
  const midWord: boolean[] = [];
  parts.forEach((part, i) => {
    const start = pos;
    while (pos < text.length && isSpace(text[pos]!) && !text.startsWith(part, pos)) pos++;
    if (i > 0) midWord.push(pos === start && start > 0 && !isSpace(text[start - 1]!));
    expect(text.startsWith(part, pos), `part ${i} ${JSON.stringify(part)} is the text's next run at ${pos}`).toBe(true);
    pos += part.length;
  });
  expect(text.slice(pos).trim(), "nothing but whitespace is left out").toBe("");
  return { midWord };
}

/** Words, spaces, line and paragraph breaks, multi-byte letters, emoji (surrogate pairs), and the odd long word. */
const piece = fc.oneof(
  fc.constantFrom(" ", "\n", "\n\n", "  ", "\t"),
  fc.constantFrom("aduan", "jalan", "rusak", "Bapak/Ibu", "é", "ñandú", "😀", "🚧🚧", "ç", "日本", "x"),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 }),
  fc.string({ unit: "grapheme-ascii", minLength: 10, maxLength: 40 }),
);
const text = fc.array(piece, { maxLength: 60 }).map((pieces) => pieces.join(""));

describe("splitText (channels/shared)", () => {
  for (const unit of ["chars", "utf8"] as TextUnit[]) {
    const smallest = unit === "chars" ? 2 : 4; // room for one surrogate pair
    it(`never exceeds the limit, keeps every character in order, never splits a surrogate pair (${unit})`, () => {
      fc.assert(
        fc.property(text, fc.integer({ min: smallest, max: 80 }), (t, max) => {
          const parts = splitText(t, max, unit);
          expect(parts.length).toBeGreaterThan(0);
          for (const part of parts) {
            expect(sizeOf(part, unit)).toBeLessThanOrEqual(max);
            if (part !== "") {
              expect(isLow(part.charCodeAt(0)), `${JSON.stringify(part)} starts inside a pair`).toBe(false);
              expect(isHigh(part.charCodeAt(part.length - 1)), `${JSON.stringify(part)} ends inside a pair`).toBe(false);
            }
          }
          alignParts(t, parts);
          if (sizeOf(t, unit) <= max) expect(parts).toEqual([t]);
        }),
        { numRuns: 400 },
      );
    });

    it(`cuts inside a word only when that word alone is over the limit (${unit})`, () => {
      fc.assert(
        fc.property(text, fc.integer({ min: smallest, max: 80 }), (t, max) => {
          const parts = splitText(t, max, unit);
          const { midWord } = alignParts(t, parts);
          midWord.forEach((mid, i) => {
            // The part before a mid-word cut holds no whitespace: there was nowhere else to cut.
            if (mid) expect(/\s/.test(parts[i]!), `cut ${i} of ${JSON.stringify(parts)}`).toBe(false);
          });
        }),
        { numRuns: 400 },
      );
    });
  }

  it("prefers a paragraph break, then a line break, then a space, in the second half of the window", () => {
    expect(splitText("satu dua tiga\n\nempat lima", 20)).toEqual(["satu dua tiga", "empat lima"]);
    expect(splitText("satu dua tiga\nempat lima enam", 20)).toEqual(["satu dua tiga", "empat lima enam"]);
    expect(splitText("satu dua tiga empat lima", 20)).toEqual(["satu dua tiga empat", "lima"]);
    // A break early in the window would make a tiny part: a later space wins.
    expect(splitText("a\n\nbbbb cccc dddd eeee", 16)).toEqual(["a\n\nbbbb cccc", "dddd eeee"]);
  });

  it("cuts a word longer than the limit between whole emoji", () => {
    const t = "😀".repeat(10); // 20 UTF-16 units, no space
    const parts = splitText(t, 7);
    expect(parts.join("")).toBe(t);
    for (const part of parts) expect(part).toMatch(/^(?:\uD83D\uDE00){1,3}$/);
  });

  it("counts UTF-8 bytes when the provider does (Instagram: 1000 bytes)", () => {
    const t = "é".repeat(1500); // 3000 bytes
    const parts = splitText(t, 1000, "utf8");
    expect(parts).toHaveLength(3);
    for (const part of parts) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(1000);
    expect(parts.join("")).toBe(t);
  });

  it("gives text within the limit back as it is, an empty text included", () => {
    expect(splitText("", 10)).toEqual([""]);
    expect(splitText("  halo  ", 10)).toEqual(["  halo  "]);
    expect(splitText("x".repeat(4096), 4096)).toEqual(["x".repeat(4096)]);
  });
});

describe("createPartSender (channels/shared): resuming a partly sent message", () => {
  const message = { text: "panjang" };
  const ok = (id: string): PartResult => ({ ok: true, id });
  const refused: PartResult = { ok: false, retryable: true, reason: "429 too many requests", retryAfterMs: 1000 };

  /** A provider that refuses the calls whose numbers (1, 2, …) are listed. */
  function provider(refuse: number[]) {
    const calls: string[] = [];
    const send = async (part: string): Promise<PartResult> => {
      calls.push(part);
      return refuse.includes(calls.length) ? refused : ok(`id-${part}`);
    };
    return { calls, send };
  }

  it("sends the parts in order and answers with the first part's id", async () => {
    const sendParts = createPartSender();
    const { calls, send } = provider([]);
    expect(await sendParts("chat", message, ["a", "b", "c"], send)).toEqual({ ok: true, providerMessageId: "id-a" });
    expect(calls).toEqual(["a", "b", "c"]);
  });

  it("after a refusal, the same message sent again starts at the part that failed, and keeps the first id", async () => {
    const sendParts = createPartSender();
    const { calls, send } = provider([2]); // "b" is refused once
    expect(await sendParts("chat", message, ["a", "b", "c"], send)).toEqual(refused);
    expect(await sendParts("chat", message, ["a", "b", "c"], send)).toEqual({ ok: true, providerMessageId: "id-a" });
    expect(calls).toEqual(["a", "b", "b", "c"]);
    // Done: a third send of it is a new message, whole.
    await sendParts("chat", message, ["a", "b", "c"], send);
    expect(calls.slice(4)).toEqual(["a", "b", "c"]);
  });

  it("keeps progress per chat and per message: another chat or another text starts at the beginning", async () => {
    const sendParts = createPartSender();
    const { calls, send } = provider([2]);
    await sendParts("chat-1", message, ["a", "b"], send);
    await sendParts("chat-2", message, ["a", "b"], send);
    await sendParts("chat-1", { text: "lain" }, ["a", "b"], send);
    expect(calls).toEqual(["a", "b", "a", "b", "a", "b"]);
  });

  it("forgets the oldest half-sent message past its bound, so memory stays bounded", async () => {
    const sendParts = createPartSender({ maxEntries: 2 });
    let refuseB = true;
    const calls: string[] = [];
    const send = async (part: string): Promise<PartResult> => (calls.push(part), refuseB && part === "b" ? refused : ok(part));
    for (const text of ["m1", "m2", "m3"]) await sendParts("chat", { text }, ["a", "b"], send);
    refuseB = false;
    calls.length = 0;
    await sendParts("chat", { text: "m3" }, ["a", "b"], send); // remembered: resumes
    await sendParts("chat", { text: "m1" }, ["a", "b"], send); // forgotten: starts over
    expect(calls).toEqual(["b", "a", "b"]);
  });

  it("refuses a message with no parts instead of answering without an id", async () => {
    const sendParts = createPartSender();
    expect(await sendParts("chat", { text: "" }, [], async () => ok("never"))).toEqual({
      ok: false,
      retryable: false,
      reason: "nothing to send: empty text and no attachments",
    });
  });
});

describe("send failures (channels/shared)", () => {
  it("counts a dropped or refused connection as a network failure, and nothing else", () => {
    for (const code of ["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EAI_AGAIN", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT"])
      expect(isNetworkErrorCode(code), code).toBe(true);
    for (const code of [undefined, "", "ENOENT", "EACCES", "ERR_INVALID_ARG_TYPE", "econnreset"])
      expect(isNetworkErrorCode(code), String(code)).toBe(false);
  });

  it("reads a file to upload whole, and fails for good, naming it, when it is gone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kanal-upload-"));
    const path = join(dir, "surat.pdf");
    writeFileSync(path, Buffer.from("%PDF-1.4 bukti"));
    expect(await readUpload({ path, filename: "surat.pdf" })).toEqual({ ok: true, bytes: Buffer.from("%PDF-1.4 bukti") });
    expect(await readUpload({ path: join(dir, "hilang.pdf"), filename: "Bukti Pungli.pdf" })).toEqual({
      ok: false,
      retryable: false,
      reason: "the file Bukti Pungli.pdf cannot be read (ENOENT)",
    });
    // Without a name the path says which file.
    const unnamed = await readUpload({ path: join(dir, "hilang.pdf") });
    expect(unnamed.ok).toBe(false);
    if (!unnamed.ok) expect(unnamed.reason).toContain("hilang.pdf");
  });
});
