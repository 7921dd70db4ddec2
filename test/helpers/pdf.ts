/**
 * Reading back the PDFs pdfkit writes with `compress: false`: standard-font text is written as hex
 * strings in WinAnsiEncoding inside TJ arrays, one BT…ET block per line, placed with
 * `1 0 0 1 x y Tm` in PDF space (y grows upwards) on each page's content stream.
 */

const WIN_ANSI_80_9F = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ";

function decodeTj(array: string): string {
  const hex = [...array.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => h[1]!).join("");
  return [...Buffer.from(hex, "hex")].map((b) => (b >= 0x80 && b <= 0x9f ? WIN_ANSI_80_9F[b - 0x80]! : String.fromCharCode(b))).join("");
}

/** One line of text as drawn: its page (from 1), position (PDF points, y upwards), font size. */
export interface TextRun {
  page: number;
  x: number;
  y: number;
  size: number;
  font: string;
  text: string;
}

/** The content streams of the pages, in page order (pdfkit writes the page objects in order). */
function pageStreams(pdf: Buffer): string[] {
  const source = pdf.toString("latin1");
  const objects = new Map<number, string>();
  for (const m of source.matchAll(/(\d+) 0 obj\s*([\s\S]*?)endobj/g)) objects.set(Number(m[1]), m[2]!);
  const pages = [...objects.entries()].filter(([, body]) => /\/Type \/Page\b(?!s)/.test(body)).sort((a, b) => a[0] - b[0]);
  return pages.map(([, body]) => {
    const ref = /\/Contents (\d+) 0 R/.exec(body)?.[1];
    const content = ref ? objects.get(Number(ref)) : undefined;
    return content ? (/stream\r?\n([\s\S]*?)endstream/.exec(content)?.[1] ?? "") : "";
  });
}

export function textRuns(pdf: Buffer): TextRun[] {
  const runs: TextRun[] = [];
  pageStreams(pdf).forEach((stream, i) => {
    for (const m of stream.matchAll(
      /BT\s+1 0 0 1 ([\d.-]+) ([\d.-]+) Tm\s+\/(\S+) ([\d.]+) Tf\s+\[((?:<[0-9a-fA-F]*>\s*-?[\d.]*\s*)+)\]\s*TJ/g,
    )) {
      runs.push({ page: i + 1, x: Number(m[1]), y: Number(m[2]), font: m[3]!, size: Number(m[4]), text: decodeTj(m[5]!) });
    }
  });
  return runs;
}

/** Every line of text, in drawing order. */
export function pdfText(pdf: Buffer): string {
  return textRuns(pdf)
    .map((r) => r.text)
    .join("\n");
}

export function pageCount(pdf: Buffer): number {
  return [...pdf.toString("latin1").matchAll(/\/Type \/Page\b(?!s)/g)].length;
}
