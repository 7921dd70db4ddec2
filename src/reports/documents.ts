import type QRCodeModule from "qrcode";
import { headRole, type DocumentNumber, type SopPreset } from "../complaints/index.js";
import { CATEGORIES, type Category, type Locale } from "../core/index.js";
import { evidenceEntries } from "./evidence.js";
import { contactLabelsOf, drawLetterhead, type Letterhead } from "./letterhead.js";
import { mediumLabel } from "./media.js";
import { renderPdf, roomLeft, write, pdfSafe, type Pdf } from "./pdf.js";
import type { DocumentComplaint } from "./store.js";
import type { ReportTexts } from "./texts.js";
import { formatLongDate, formatLongDateTime } from "./time.js";

export interface DocumentLayout {
  officeName: string;
  timeZone: string;
  texts: ReportTexts;
  now: Date;
  compress?: boolean;
  /** The kop surat; the office's name alone when absent. */
  letterhead?: Letterhead;
  /** The office's SOP: the head role signs, its form numbers go in the corner. */
  sop?: SopPreset;
  /** PUBLIC_BASE_URL: the form's QR code links to the ticket's tracking page. */
  publicBaseUrl?: string;
}

/** The tracking page of a ticket (`/lacak`), the address the form's QR code holds. */
export function trackingUrl(publicBaseUrl: string, ticket: string): string {
  return `${publicBaseUrl.replace(/\/+$/, "")}/lacak?ticket=${encodeURIComponent(ticket)}`;
}

/** "Denpasar, 3 Desember 2026", or the date alone without OFFICE_CITY. */
export function placeAndDate(layout: Pick<DocumentLayout, "letterhead" | "texts" | "timeZone" | "now">): string {
  const date = formatLongDate(layout.now, layout.texts.locale, layout.timeZone);
  const city = layout.letterhead?.city;
  return city ? layout.texts.t("date.place", { city, date }) : date;
}

/** The signer's title: the preset's head role (Camat, Inspektur, Kepala Dinas…). */
export function signerTitle(sop: SopPreset | undefined, texts: ReportTexts): string {
  if (!sop) return texts.t("letter.signerRole");
  return `${headRole(sop).label[texts.locale]},`;
}

/** "19720809 199201 2 002": an 18-digit NIP in its usual groups (birth date, appointment, sex, number). */
export function formatNip(nip: string): string {
  const digits = nip.replace(/\s+/g, "");
  return /^\d{18}$/.test(digits) ? `${digits.slice(0, 8)} ${digits.slice(8, 14)} ${digits.slice(14, 15)} ${digits.slice(15)}` : nip.trim();
}

const headOf = (layout: Pick<DocumentLayout, "letterhead" | "officeName">): Letterhead => layout.letterhead ?? { name: layout.officeName };

/** What form FM-PDIP-03-01 shows, worked out from the complaint (a pure function, for tests). */
export interface ComplaintFormFields {
  ticket: string;
  /** An information request prints as a request-for-information form. */
  kind: "complaint" | "information";
  name: string;
  address: string;
  email: string;
  phone: string;
  target: string;
  /** The box ticked; null for an information request (no category). */
  ticked: Category | null;
  text: string;
  received: string;
  medium: string;
  attachments: number;
  /** The evidence files' names, as the evidence ZIP holds them. */
  files: string[];
  /** The tracking page the QR code holds (when PUBLIC_BASE_URL is set). */
  trackingUrl?: string;
}

const orDash = (s: string | null | undefined) => (s && s.trim() !== "" ? s.trim() : "-");

/**
 * The internal form may show who complained (it stays with the complaints desk); an anonymous
 * complainant is "Anonim" and nothing else about them is shown, whatever the channel knew.
 */
export function complaintFormFields(
  record: DocumentComplaint,
  layout: Pick<DocumentLayout, "officeName" | "timeZone" | "texts" | "publicBaseUrl">,
  target?: string,
): ComplaintFormFields {
  const { complaint, identity } = record;
  const anonymous = identity.anonymous || !identity.name;
  const category = CATEGORIES.find((c) => c === complaint.category) ?? (complaint.category ? "Lain-lain" : null);
  return {
    ticket: complaint.ticket,
    kind: complaint.kind,
    name: anonymous ? layout.texts.t("form.anonymous") : identity.name!,
    address: anonymous ? "-" : orDash(identity.address),
    email: anonymous ? "-" : orDash(identity.email),
    phone: anonymous ? "-" : orDash(identity.phone),
    target: target ?? layout.officeName,
    ticked: category,
    text: record.originalText,
    received: formatLongDateTime(complaint.receivedAt, layout.texts.locale, layout.timeZone),
    medium: mediumLabel(complaint.channel, layout.texts),
    attachments: record.attachments,
    files: evidenceEntries(record.files).map((f) => f.name),
    ...(layout.publicBaseUrl ? { trackingUrl: trackingUrl(layout.publicBaseUrl, complaint.ticket) } : {}),
  };
}

/** The QR code as vector squares: sharp at any zoom and printer, and nothing to decode or embed. */
function qrCode(QRCode: typeof QRCodeModule, doc: Pdf, text: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  // Four modules of quiet zone around the code, as scanners expect.
  const cell = size / (modules.size + 8);
  doc.save().fillColor("#000000");
  for (let row = 0; row < modules.size; row++)
    for (let col = 0; col < modules.size; col++)
      if (modules.get(row, col)) doc.rect(x + (col + 4) * cell, y + (row + 4) * cell, cell, cell);
  doc.fill().restore();
}

/** The form's number box (NO. DOK, REVISI, TGL. EFEKTIF) of the office's quality system. */
function documentNumberBox(doc: Pdf, number: DocumentNumber, texts: ReportTexts, x: number, y: number): void {
  const lines = [
    texts.t("form.docNumber", { number: number.number }),
    ...(number.revision ? [texts.t("form.revision", { revision: number.revision })] : []),
    ...(number.effective ? [texts.t("form.effective", { effective: number.effective })] : []),
  ];
  doc
    .rect(x, y, 190, 5 + lines.length * 13)
    .lineWidth(0.6)
    .strokeColor("#000000")
    .stroke();
  doc.fontSize(8.5).fillColor("#000000");
  lines.forEach((line, i) => write(doc, line, x + 6, y + 5 + i * 13, { width: 180, lineBreak: false }));
}

function checkbox(doc: Pdf, x: number, y: number, ticked: boolean): void {
  doc.rect(x, y, 12, 12).lineWidth(0.8).strokeColor("#000000").stroke();
  if (ticked) {
    // A check mark drawn as lines: the built-in fonts have no "√".
    doc
      .moveTo(x + 2.5, y + 6.5)
      .lineTo(x + 5, y + 9.5)
      .lineTo(x + 10, y + 2.5)
      .lineWidth(1.6)
      .stroke();
  }
}

/**
 * The complaint form ("FORMULIR PENGADUAN / SARAN", FM-PDIP-03-01 in Buleleng) filled in, or the
 * request-for-information form for an information request; under the kop surat, with the preset's
 * form number and a QR code of the tracking page.
 */
export async function complaintFormLayout(fields: ComplaintFormFields, layout: DocumentLayout): Promise<Buffer> {
  // Loaded with the first form, not at start (as pdfkit is): most processes never print one.
  const { default: QRCode } = await import("qrcode");
  const { texts } = layout;
  const information = fields.kind === "information";
  const title = texts.t(information ? "form.infoTitle" : "form.title");
  const number = information ? undefined : layout.sop?.documents?.complaintForm;
  return renderPdf({ title: `${title} ${fields.ticket}`, author: layout.officeName, compress: layout.compress }, (doc) => {
    const left = doc.page.margins.left;
    const width = doc.page.width - left - doc.page.margins.right;
    drawLetterhead(doc, headOf(layout), contactLabelsOf(texts));
    doc.font("Helvetica-Bold").fontSize(13);
    write(doc, title, left, doc.y, { width, align: "center", underline: true });
    doc.font("Helvetica").fontSize(8.5).fillColor("#555555");
    write(doc, texts.t("form.received", { ticket: fields.ticket, received: fields.received, medium: fields.medium }), left, doc.y + 2, {
      width,
      align: "center",
    });
    doc.fillColor("#000000");
    doc.moveDown(1.2);

    const rows: [string, string][] = [
      [texts.t("form.name"), fields.name],
      [texts.t("form.address"), fields.address],
      [texts.t("form.email"), fields.email],
      [texts.t("form.phone"), fields.phone],
      [texts.t(information ? "form.infoTarget" : "form.target"), fields.target],
    ];
    const labelW = 120;
    doc.fontSize(10.5);
    for (const [label, value] of rows) {
      const y = doc.y;
      write(doc, label, left, y, { width: labelW });
      write(doc, ":", left + labelW, y);
      write(doc, value, left + labelW + 10, y, { width: width - labelW - 10 });
      const bottom = Math.max(doc.y, y + 13);
      doc
        .moveTo(left + labelW + 10, bottom)
        .lineTo(left + width, bottom)
        .dash(1, { space: 2 })
        .lineWidth(0.5)
        .strokeColor("#7F7F7F")
        .stroke()
        .undash();
      doc.strokeColor("#000000");
      doc.y = bottom + 8;
    }
    doc.moveDown(0.6);

    if (!information) {
      // The boxes in the form's own arrangement: two columns.
      const grid: [Category, number, number][] = [
        ["Perilaku Pegawai", 0, 0],
        ["Sarana Prasarana", 1, 0],
        ["Pelayanan", 0, 1],
        ["Lain-lain", 1, 1],
      ];
      const top = doc.y;
      for (const [category, col, row] of grid) {
        const x = left + 20 + col * 230;
        const y = top + row * 22;
        checkbox(doc, x, y, fields.ticked === category);
        doc.fontSize(10.5).fillColor("#000000");
        write(doc, category === "Lain-lain" ? "Lain - Lain" : category, x + 20, y + 1.5, { lineBreak: false });
      }
      doc.y = top + 2 * 22 + 12;
    }

    doc.font("Helvetica-Bold").fontSize(10.5);
    write(doc, texts.t(information ? "form.infoText" : "form.text"), left, doc.y);
    doc.font("Helvetica").fontSize(10.5);
    doc.moveDown(0.4);
    const boxTop = doc.y;
    const textHeight = doc.heightOfString(pdfSafe(fields.text), { width: width - 16 });
    const boxHeight = Math.max(170, textHeight + 16);
    if (boxHeight + 150 <= roomLeft(doc)) {
      doc.rect(left, boxTop, width, boxHeight).lineWidth(0.8).strokeColor("#000000").stroke();
      write(doc, fields.text, left + 8, boxTop + 8, { width: width - 16 });
      doc.y = boxTop + boxHeight + 6;
    } else {
      // A long text flows over the page; a box would be cut in two.
      write(doc, fields.text, left, boxTop, { width });
      doc.moveDown(0.5);
    }
    doc.fontSize(9);
    if (fields.files.length > 0) {
      write(doc, texts.t("form.files", { count: fields.files.length }), left, doc.y, { width });
      for (const [i, name] of fields.files.entries()) write(doc, `${i + 1}. ${name}`, left + 12, doc.y, { width: width - 12 });
    }
    doc.moveDown(1.2);

    const qrSize = 78;
    if (roomLeft(doc) < 85 + qrSize + 12) doc.addPage();
    const signY = doc.y;
    doc.fontSize(10.5);
    write(doc, placeAndDate(layout), left + width - 200, signY, { width: 200, align: "center" });
    write(doc, `( ${fields.name} )`, left + width - 200, signY + 55, { width: 200, align: "center" });
    doc.fontSize(9);
    if (!information) write(doc, `- ${texts.t("form.tickHint")}`, left, signY, { width: width - 220 });
    write(doc, `- ${texts.t("form.confidential")}`, left, information ? signY : doc.y + 2, { width: width - 220 });
    const footY = signY + 85;
    if (number) documentNumberBox(doc, number, texts, left, footY);
    if (fields.trackingUrl) {
      qrCode(QRCode, doc, fields.trackingUrl, left + width - qrSize, footY - 6, qrSize);
      // The link in words too, under the code: for whoever reads the form on paper without a phone.
      doc.fontSize(8).fillColor("#000000");
      write(doc, `${texts.t("form.track")} ${fields.trackingUrl}`, left, footY + qrSize - 2, { width, align: "right" });
    }
  });
}

export interface ForwardingLetterInput {
  /** The agency it goes to, e.g. "Kepala Dinas Pekerjaan Umum Kota Denpasar". */
  to: string;
  /** The letter's number from the office's register; blank dots when not given. */
  number?: string;
  /** Who signs (the head of office's name); blank dots when not given. */
  signer?: string;
  /** The signer's NIP (civil servant number), printed under the name. */
  nip?: string;
}

/** The "Surat Pengantar" forwarding a complaint to another agency, without the reporter's identity. */
export function forwardingLetterLayout(record: DocumentComplaint, input: ForwardingLetterInput, layout: DocumentLayout): Promise<Buffer> {
  const { texts } = layout;
  const { complaint } = record;
  const locale: Locale = texts.locale;
  const year = new Intl.DateTimeFormat("en-GB", { year: "numeric", timeZone: layout.timeZone }).format(layout.now);
  const number = input.number?.trim() || texts.t("letter.numberBlank", { year });
  return renderPdf(
    { title: `${texts.t("letter.title")} ${complaint.ticket}`, author: layout.officeName, compress: layout.compress },
    (doc) => {
      const left = doc.page.margins.left;
      const width = doc.page.width - left - doc.page.margins.right;
      drawLetterhead(doc, headOf(layout), contactLabelsOf(texts));
      doc.fontSize(10.5);
      write(doc, placeAndDate(layout), left, doc.y, { width, align: "right" });
      doc.moveDown(0.8);
      doc.font("Helvetica-Bold").fontSize(12.5);
      write(doc, texts.t("letter.title"), left, doc.y, { width, align: "center", underline: true });
      doc.font("Helvetica").fontSize(10.5);
      write(doc, `${texts.t("letter.number")} : ${number}`, left, doc.y + 2, { width, align: "center" });
      doc.moveDown(1.2);

      const table = (rows: [string, string][], labelW: number, indent = 0) => {
        for (const [label, value] of rows) {
          const y = doc.y;
          write(doc, label, left + indent, y, { width: labelW });
          write(doc, ":", left + indent + labelW, y);
          write(doc, value, left + indent + labelW + 10, y, { width: width - indent - labelW - 10 });
          doc.y = Math.max(doc.y, y + 13) + 3;
        }
      };
      table(
        [
          [texts.t("letter.nature"), texts.t("letter.natureText")],
          [
            texts.t("letter.attachment"),
            record.attachments > 0 ? texts.t("letter.attachmentCount", { count: record.attachments }) : texts.t("letter.attachmentText"),
          ],
          [texts.t("letter.subject"), texts.t("letter.subjectText")],
        ],
        70,
      );
      doc.moveDown(0.8);
      write(doc, texts.t("letter.to"), left, doc.y, { width });
      doc.font("Helvetica-Bold");
      write(doc, input.to, left, doc.y, { width: width * 0.6 });
      doc.font("Helvetica");
      const place = texts.t("letter.place");
      if (place) write(doc, place, left, doc.y, { width });
      doc.moveDown(1);

      const medium = mediumLabel(complaint.channel, texts);
      write(doc, texts.t("letter.opening"), left, doc.y, { width });
      doc.moveDown(0.5);
      write(doc, texts.t("letter.body", { medium, to: input.to }), left, doc.y, { width, align: "justify" });
      doc.moveDown(0.5);
      table(
        [
          [texts.t("letter.ticket"), complaint.ticket],
          [
            texts.t("letter.category"),
            complaint.category ?? texts.t(complaint.kind === "information" ? "kind.information" : "kind.complaint"),
          ],
          [texts.t("letter.received"), formatLongDateTime(complaint.receivedAt, locale, layout.timeZone)],
          [texts.t("letter.text"), complaint.text.trim()],
        ],
        110,
        20,
      );
      doc.moveDown(0.5);
      for (const key of ["letter.confidential", "letter.request", "letter.closing"]) {
        write(doc, texts.t(key), left, doc.y, { width, align: "justify" });
        doc.moveDown(0.5);
      }

      if (roomLeft(doc) < 140) doc.addPage();
      doc.moveDown(1);
      const signX = left + width - 220;
      const y = doc.y;
      write(doc, signerTitle(layout.sop, texts), signX, y, { width: 220, align: "center" });
      const nameY = doc.y + 60;
      if (input.signer?.trim()) {
        doc.font("Helvetica-Bold");
        write(doc, input.signer.trim(), signX, nameY, { width: 220, align: "center", underline: true });
        doc.font("Helvetica");
      } else {
        write(doc, texts.t("letter.signerBlank"), signX, nameY, { width: 220, align: "center" });
      }
      if (input.nip?.trim())
        write(doc, texts.t("letter.nip", { nip: formatNip(input.nip) }), signX, doc.y + 1, { width: 220, align: "center" });
    },
  );
}
