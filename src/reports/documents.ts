import { CATEGORIES, type Category, type Locale } from "../core/index.js";
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
}

/** What form FM-PDIP-03-01 shows, worked out from the complaint (a pure function, for tests). */
export interface ComplaintFormFields {
  ticket: string;
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
}

const orDash = (s: string | null | undefined) => (s && s.trim() !== "" ? s.trim() : "-");

/**
 * The internal form may show who complained (it stays with the complaints desk); an anonymous
 * complainant is "Anonim" and nothing else about them is shown, whatever the channel knew.
 */
export function complaintFormFields(
  record: DocumentComplaint,
  layout: Pick<DocumentLayout, "officeName" | "timeZone" | "texts">,
  target?: string,
): ComplaintFormFields {
  const { complaint, identity } = record;
  const anonymous = identity.anonymous || !identity.name;
  const category = CATEGORIES.find((c) => c === complaint.category) ?? (complaint.category ? "Lain-lain" : null);
  return {
    ticket: complaint.ticket,
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
  };
}

function letterhead(doc: Pdf, officeName: string): void {
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  doc.font("Helvetica-Bold").fontSize(14).fillColor("#000000");
  write(doc, officeName.toUpperCase(), left, 50, { width, align: "center" });
  doc.moveDown(0.3);
  const y = doc.y;
  doc
    .moveTo(left, y)
    .lineTo(left + width, y)
    .lineWidth(1.5)
    .strokeColor("#000000")
    .stroke();
  doc
    .moveTo(left, y + 2.5)
    .lineTo(left + width, y + 2.5)
    .lineWidth(0.5)
    .stroke();
  doc.y = y + 14;
  doc.font("Helvetica");
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

/** Form FM-PDIP-03-01, "FORMULIR PENGADUAN / SARAN", filled in. */
export function complaintFormLayout(fields: ComplaintFormFields, layout: DocumentLayout): Promise<Buffer> {
  const { texts } = layout;
  return renderPdf({ title: `${texts.t("form.title")} ${fields.ticket}`, author: layout.officeName, compress: layout.compress }, (doc) => {
    const left = doc.page.margins.left;
    const width = doc.page.width - left - doc.page.margins.right;
    letterhead(doc, layout.officeName);
    doc.font("Helvetica-Bold").fontSize(13);
    write(doc, texts.t("form.title"), left, doc.y, { width, align: "center", underline: true });
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
      [texts.t("form.target"), fields.target],
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

    doc.font("Helvetica-Bold").fontSize(10.5);
    write(doc, texts.t("form.text"), left, doc.y);
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
    if (fields.attachments > 0) write(doc, texts.t("form.attachments", { count: fields.attachments }), left, doc.y, { width });
    doc.moveDown(1.2);

    if (roomLeft(doc) < 130) doc.addPage();
    const signY = doc.y;
    doc.fontSize(10.5);
    write(doc, formatLongDate(layout.now, texts.locale, layout.timeZone), left + width - 200, signY, { width: 200, align: "center" });
    write(doc, `( ${fields.name} )`, left + width - 200, signY + 55, { width: 200, align: "center" });
    doc.fontSize(9);
    write(doc, `- ${texts.t("form.tickHint")}`, left, signY, { width: width - 220 });
    write(doc, `- ${texts.t("form.confidential")}`, left, doc.y + 2, { width: width - 220 });
    const docY = signY + 85;
    doc.rect(left, docY, 190, 44).lineWidth(0.6).stroke();
    doc.fontSize(8.5);
    write(doc, texts.t("form.docNumber"), left + 6, docY + 5, { width: 180 });
    write(doc, texts.t("form.revision"), left + 6, docY + 18, { width: 180 });
    write(doc, texts.t("form.effective"), left + 6, docY + 31, { width: 180 });
  });
}

export interface ForwardingLetterInput {
  /** The agency it goes to, e.g. "Kepala Dinas Pekerjaan Umum Kota Denpasar". */
  to: string;
  /** The letter's number from the office's register; blank dots when not given. */
  number?: string;
  /** Who signs (name, and NIP if the office wants); blank dots when not given. */
  signer?: string;
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
      letterhead(doc, layout.officeName);
      doc.fontSize(10.5);
      write(doc, formatLongDate(layout.now, locale, layout.timeZone), left, doc.y, { width, align: "right" });
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
          [texts.t("letter.attachment"), texts.t("letter.attachmentText")],
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
      write(doc, layout.officeName, signX, y, { width: 220, align: "center" });
      write(doc, texts.t("letter.signerRole"), signX, doc.y, { width: 220, align: "center" });
      const nameY = doc.y + 60;
      if (input.signer?.trim()) {
        doc.font("Helvetica-Bold");
        write(doc, input.signer.trim(), signX, nameY, { width: 220, align: "center", underline: true });
        doc.font("Helvetica");
      } else {
        write(doc, texts.t("letter.signerBlank"), signX, nameY, { width: 220, align: "center" });
      }
    },
  );
}
