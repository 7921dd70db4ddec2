import { readFileSync } from "node:fs";
import { KanalError } from "../core/index.js";
import { pdfSafe, write, type Pdf } from "./pdf.js";
import type { ReportTexts } from "./texts.js";

/** The kop surat: who the office is, as its letters, forms and reports head every first page. */
export interface Letterhead {
  /** OFFICE_NAME, e.g. "Kecamatan Denpasar Utara". */
  name: string;
  /** OFFICE_PARENT, e.g. "Pemerintah Kota Denpasar". */
  parent?: string;
  address?: string;
  phone?: string;
  email?: string;
  website?: string;
  /** OFFICE_CITY: where a letter is dated ("Denpasar, 3 Desember 2026"). */
  city?: string;
  /** OFFICE_LOGO: a PNG or JPEG path. */
  logo?: string;
}

/** The letterhead settings of a configured office (the OFFICE_* variables). */
export function letterheadOf(config: {
  OFFICE_NAME: string;
  OFFICE_PARENT?: string | undefined;
  OFFICE_ADDRESS?: string | undefined;
  OFFICE_PHONE?: string | undefined;
  OFFICE_EMAIL?: string | undefined;
  OFFICE_WEBSITE?: string | undefined;
  OFFICE_CITY?: string | undefined;
  OFFICE_LOGO?: string | undefined;
}): Letterhead {
  const optional = (key: keyof Omit<Letterhead, "name">, value: string | undefined) => (value ? { [key]: value } : {});
  return {
    name: config.OFFICE_NAME,
    ...optional("parent", config.OFFICE_PARENT),
    ...optional("address", config.OFFICE_ADDRESS),
    ...optional("phone", config.OFFICE_PHONE),
    ...optional("email", config.OFFICE_EMAIL),
    ...optional("website", config.OFFICE_WEBSITE),
    ...optional("city", config.OFFICE_CITY),
    ...optional("logo", config.OFFICE_LOGO),
  };
}

export interface ContactLabels {
  phone: string;
  email: string;
  website: string;
}

/** The words before the phone number, e-mail and website, in the document's language. */
export function contactLabelsOf(texts: ReportTexts): ContactLabels {
  return { phone: texts.t("letterhead.phone"), email: texts.t("letterhead.email"), website: texts.t("letterhead.website") };
}

/** "Telp. (0361) 223344 · Email: … · Laman: …": the contact line under the address. */
export function contactLine(head: Letterhead, labels: ContactLabels): string {
  return [
    head.phone ? `${labels.phone} ${head.phone}` : "",
    head.email ? `${labels.email} ${head.email}` : "",
    head.website ? `${labels.website} ${head.website}` : "",
  ]
    .filter((part) => part !== "")
    .join("  ·  ");
}

const LOGO_SIZE = 62;

/** The largest size from `max` down to `min` at which the text fits one line (a kop surat line rarely wraps). */
function fitOneLine(doc: Pdf, text: string, width: number, max: number, min: number): void {
  let size = max;
  doc.fontSize(size);
  while (size > min && doc.widthOfString(pdfSafe(text)) > width) doc.fontSize((size -= 0.5));
}

function logoBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new KanalError(
      "KA_CONFIG",
      `OFFICE_LOGO ${path} cannot be read (${(error as Error).message}): give the path of a PNG or JPEG file`,
    );
  }
}

/**
 * Draws the kop surat at the top of the page: the logo at the left, the parent government and the
 * office in capitals centred, the address and contacts under them, and the double rule (thick over
 * thin) of Indonesian official letters. Leaves the cursor under the rule.
 */
export function drawLetterhead(doc: Pdf, head: Letterhead, labels: ContactLabels): void {
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const top = 40;
  // The text is centred on the page, but kept clear of the logo on both sides so that it stays centred.
  const inset = head.logo ? LOGO_SIZE + 8 : 0;
  const textX = left + inset;
  const textW = width - 2 * inset;
  if (head.logo) doc.image(logoBytes(head.logo), left, top, { fit: [LOGO_SIZE, LOGO_SIZE], align: "center", valign: "center" });
  doc.fillColor("#000000");
  doc.y = top;
  if (head.parent) {
    doc.font("Helvetica-Bold").fontSize(12.5);
    write(doc, head.parent.toUpperCase(), textX, doc.y, { width: textW, align: "center" });
  }
  doc.font("Helvetica-Bold");
  fitOneLine(doc, head.name.toUpperCase(), textW, head.parent ? 15 : 14, 11);
  write(doc, head.name.toUpperCase(), textX, doc.y, { width: textW, align: "center" });
  doc.font("Helvetica");
  if (head.address) {
    fitOneLine(doc, head.address, textW, 9, 7.5);
    write(doc, head.address, textX, doc.y + 1, { width: textW, align: "center" });
  }
  const contacts = contactLine(head, labels);
  if (contacts) {
    fitOneLine(doc, contacts, textW, 9, 7.5);
    write(doc, contacts, textX, doc.y, { width: textW, align: "center" });
  }
  const y = Math.max(doc.y + 4, head.logo ? top + LOGO_SIZE + 4 : 0);
  doc
    .moveTo(left, y)
    .lineTo(left + width, y)
    .lineWidth(2)
    .strokeColor("#000000")
    .stroke();
  doc
    .moveTo(left, y + 3.5)
    .lineTo(left + width, y + 3.5)
    .lineWidth(0.6)
    .stroke();
  doc.y = y + 16;
  doc.font("Helvetica");
}
