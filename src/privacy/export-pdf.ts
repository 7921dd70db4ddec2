import { renderPdf, write } from "../reports/index.js";
import type { SubjectData } from "./subject.js";

const stamp = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 16) + " UTC" : "-");

/** The export as a person reads it: who they are to the office, their complaints, and every message. */
export function subjectPdf(data: SubjectData, meta: { office: string; ticket: string; at: Date }): Promise<Buffer> {
  return renderPdf({ title: `Data pribadi ${meta.ticket}`, author: meta.office, compress: false }, (doc) => {
    doc.fontSize(16);
    write(doc, `Data pribadi pelapor / Personal data held — ${meta.ticket}`);
    doc.fontSize(9);
    write(doc, `${meta.office}, ${stamp(meta.at)} (UU 27/2022 Pelindungan Data Pribadi)`);
    doc.moveDown();
    doc.fontSize(12);
    write(doc, "Identitas / Identity");
    doc.fontSize(10);
    const p = data.complainant;
    write(doc, `Anonim: ${p.anonymous ? "ya" : "tidak"}`);
    write(doc, `Nama: ${p.name ?? "-"}`);
    write(doc, `E-mail: ${p.email ?? "-"}`);
    write(doc, `Telepon: ${p.phone ?? "-"}`);
    write(doc, `Alamat: ${p.address ?? "-"}`);
    for (const a of p.accounts) write(doc, `Akun ${a.channel}: ${a.externalId}${a.displayName ? ` (${a.displayName})` : ""}`);
    for (const c of data.complaints) {
      doc.moveDown();
      doc.fontSize(12);
      write(doc, `${c.ticket} — ${c.kind}, ${c.category ?? "-"}, ${c.channel}, ${c.status}`);
      doc.fontSize(10);
      write(doc, `Diterima ${stamp(c.receivedAt)}; ditutup ${stamp(c.closedAt)}; langkah ${c.sopStep}; nilai ${c.rating ?? "-"}`);
      write(doc, c.text || "-");
      if (c.ratingComment) write(doc, `Komentar: ${c.ratingComment}`);
      for (const f of c.files) write(doc, `Berkas: ${f.filename ?? f.sha256.slice(0, 12)} (${f.mime}, ${f.size} byte)`);
      for (const e of c.events) write(doc, `${stamp(e.at)}  ${e.type}  ${e.actor}  ${JSON.stringify(e.data)}`);
    }
    for (const conv of data.conversations) {
      doc.moveDown();
      doc.fontSize(12);
      write(doc, `Percakapan ${conv.channel} sejak ${stamp(conv.startedAt)}`);
      doc.fontSize(9);
      for (const m of conv.messages) write(doc, `${stamp(m.at)} ${m.direction === "in" ? ">" : "<"} ${m.text}`);
    }
  });
}
