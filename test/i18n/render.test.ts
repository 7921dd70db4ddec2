import { describe, expect, it } from "vitest";
import { step } from "../../src/flow/index.js";
import { render } from "../../src/i18n/index.js";
import { at, input, OFFICE, templates, tooLarge, web } from "../flow/transcript.js";

const globals = { office: OFFICE };

/** The bot's answer to a file over the limit, rendered in one locale. */
function tooLargeText(locale: "id" | "en", maxAttachmentMb: number): string {
  const r = step(at("askName"), input("", tooLarge("rekaman.mp4")), { ...web, maxAttachmentMb }, locale);
  expect(r.replies[0]!.key).toBe("file.declined.tooLarge");
  return render(templates, locale, r.replies[0]!, globals).text;
}

describe("numbers in bot texts follow the reader's language", () => {
  it("writes a decimal limit with a comma in Indonesian and a point in English", () => {
    // ATTACHMENT_MAX_BYTES=100000 is 0.1 MB (src/pipeline rounds to one decimal).
    const id = tooLargeText("id", 0.1);
    expect(id).toContain("0,1 MB");
    expect(id).not.toContain("0.1");
    const en = tooLargeText("en", 0.1);
    expect(en).toContain("0.1 MB");
    expect(en).not.toContain("0,1");
    expect(tooLargeText("id", 2.5)).toContain("2,5 MB");
    expect(tooLargeText("en", 2.5)).toContain("2.5 MB");
  });

  it("leaves whole numbers as they are", () => {
    expect(tooLargeText("id", 10)).toContain("10 MB");
    expect(tooLargeText("en", 10)).toContain("10 MB");
  });

  it("never groups digits, so numbers that are codes stay intact", () => {
    // staff.mailUnreadable names an IMAP uid: a "." or "," inside it would point at another mail.
    for (const locale of ["id", "en"] as const) {
      const text = render(templates, locale, { key: "file.declined.tooLarge", vars: { file: "x.pdf", limit: 123456 } }, globals).text;
      expect(text).toContain("123456 MB");
    }
  });

  it("keeps strings that look like numbers exactly as given", () => {
    const text = render(templates, "id", { key: "file.declined.tooLarge", vars: { file: "laporan 1.5.pdf", limit: 1.5 } }, globals).text;
    expect(text).toContain("laporan 1.5.pdf");
    expect(text).toContain("1,5 MB");
  });
});
