export type Pdf = PDFKit.PDFDocument;

/** The characters of WinAnsiEncoding beyond Latin-1: all the built-in Helvetica can show. */
const WIN_ANSI_EXTRA = new Set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ");
const REPLACEMENTS: Record<string, string> = {
  "→": "->",
  "←": "<-",
  "≥": ">=",
  "≤": "<=",
  "≠": "!=",
  "✓": "v",
  "✔": "v",
  "√": "v",
  "✕": "x",
  "✗": "x",
  "−": "-",
  "‐": "-",
  "‑": "-",
  "\u2009": " ",
  "\u202F": " ",
};

function isWinAnsi(ch: string): boolean {
  const code = ch.codePointAt(0)!;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || ch === "\n" || WIN_ANSI_EXTRA.has(ch);
}

/**
 * Text the built-in Helvetica can draw. pdfkit writes standard-font text in WinAnsiEncoding, and a
 * character outside it comes out as a wrong glyph, so: accents are dropped where the letter exists
 * without them, emoji and their joiners are dropped, a few symbols get ASCII stand-ins, anything
 * else becomes "?". Indonesian needs nothing beyond ASCII.
 */
export function pdfSafe(text: string): string {
  let out = "";
  for (const ch of text.replace(/\r\n?/g, "\n").replace(/\t/g, " ").normalize("NFC")) {
    if (isWinAnsi(ch)) out += ch;
    else if (REPLACEMENTS[ch] !== undefined) out += REPLACEMENTS[ch];
    // (The variation selectors FE00–FE0F in a class of their own: next to another character in one
    // class they would read as that character combined with a selector.)
    else if (/[\p{Extended_Pictographic}\p{Emoji_Modifier}\u200B-\u200D\u2060\u{E0020}-\u{E007F}]|[\uFE00-\uFE0F]/u.test(ch)) continue;
    else if (/\p{Cc}/u.test(ch)) continue;
    else {
      const bare = ch.normalize("NFKD").replace(/\p{M}/gu, "");
      out += bare !== "" && [...bare].every(isWinAnsi) ? bare : "?";
    }
  }
  return out.replace(/ {2,}/g, " ");
}

export interface PdfOptions {
  title: string;
  author: string;
  /** false writes readable content streams (tests read the text back); true (default) deflates them. */
  compress?: boolean;
}

/** Draws an A4 document and returns its bytes. Pages are buffered so footers can say "page i of n". */
export async function renderPdf(options: PdfOptions, draw: (doc: Pdf) => void): Promise<Buffer> {
  // Loaded on the first document, not at start: pdfkit costs ~180 ms and ~15 MB a process may never need.
  const { default: PDFDocument } = await import("pdfkit");
  const doc = new PDFDocument({
    size: "A4",
    margin: 50,
    compress: options.compress ?? true,
    bufferPages: true,
    info: { Title: pdfSafe(options.title), Author: pdfSafe(options.author), Creator: "Kanal Aduan" },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  try {
    doc.font("Helvetica");
    draw(doc);
  } finally {
    doc.end();
  }
  return done;
}

/** Writes text at (x, y), or at the cursor when given options only, made safe for Helvetica. */
export function write(
  doc: Pdf,
  text: string,
  x?: number | PDFKit.Mixins.TextOptions,
  y?: number,
  options?: PDFKit.Mixins.TextOptions,
): Pdf {
  if (typeof x === "number") return doc.text(pdfSafe(text), x, y, options);
  return doc.text(pdfSafe(text), x);
}

/** Text in the bottom margin of every buffered page, without pdfkit adding a page for it. */
export function footer(doc: Pdf, line: (page: number, pages: number) => string): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    // pdfkit starts a new page when text goes below the bottom margin; the footer lives there.
    doc.page.margins.bottom = 0;
    doc.font("Helvetica").fontSize(8).fillColor("#666666");
    write(doc, line(i - range.start + 1, range.count), doc.page.margins.left, doc.page.height - 30, {
      width: doc.page.width - doc.page.margins.left - doc.page.margins.right,
      align: "center",
      lineBreak: false,
    });
    doc.page.margins.bottom = bottom;
  }
  doc.fillColor("#000000");
}

/** Room left on the page below the cursor. */
export function roomLeft(doc: Pdf): number {
  return doc.page.height - doc.page.margins.bottom - doc.y;
}

/** A new page unless `height` still fits below the cursor. */
export function ensureRoom(doc: Pdf, height: number): void {
  if (roomLeft(doc) < height) doc.addPage();
}

/** A horizontal bar chart: label, bar scaled to the largest value, the value after it. */
export function barChart(
  doc: Pdf,
  bars: readonly { label: string; value: number }[],
  options: {
    x: number;
    y: number;
    width: number;
    labelWidth: number;
    barHeight?: number;
    gap?: number;
    color: string;
    format?: (n: number) => string;
  },
): number {
  const barHeight = options.barHeight ?? 14;
  const gap = options.gap ?? 7;
  const valueWidth = 40;
  const area = options.width - options.labelWidth - valueWidth;
  const max = Math.max(1, ...bars.map((b) => b.value));
  let y = options.y;
  doc.fontSize(9);
  for (const bar of bars) {
    doc.fillColor("#000000");
    write(doc, bar.label, options.x, y + (barHeight - 9) / 2 + 1, { width: options.labelWidth - 8, lineBreak: false, ellipsis: true });
    doc
      .rect(options.x + options.labelWidth, y, area, barHeight)
      .fillColor("#F2F2F2")
      .fill();
    const w = (area * bar.value) / max;
    if (w > 0)
      doc
        .rect(options.x + options.labelWidth, y, w, barHeight)
        .fillColor(options.color)
        .fill();
    doc.fillColor("#000000");
    write(doc, (options.format ?? String)(bar.value), options.x + options.labelWidth + area + 6, y + (barHeight - 9) / 2 + 1, {
      width: valueWidth - 6,
      lineBreak: false,
    });
    y += barHeight + gap;
  }
  // Baseline of the bars.
  doc
    .moveTo(options.x + options.labelWidth, options.y - 2)
    .lineTo(options.x + options.labelWidth, y - gap + 2)
    .lineWidth(0.7)
    .strokeColor("#7F7F7F")
    .stroke();
  return y;
}
