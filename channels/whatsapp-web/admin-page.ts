import { createHash, timingSafeEqual } from "node:crypto";
import QRCode from "qrcode";
import type { WebhookRequest, WebhookResponse } from "../../src/core/index.js";

/** What the adapter shows: the public part (state(), /health) plus the QR code, for this page only. */
export type WhatsAppWebState =
  "stopped" | "locked" | "starting" | "waiting-for-scan" | "authenticated" | "connected" | "disconnected" | "logged-out";

export interface WhatsAppWebStatus {
  state: WhatsAppWebState;
  /** ISO time of the last change. */
  since: string;
  /** "+62…", once connected. */
  phone?: string;
  /** Why it is disconnected or logged out ("CONFLICT", "net::ERR_NAME_NOT_RESOLVED …"). */
  reason?: string;
  /** When the next reconnection attempt starts. */
  nextAttemptAt?: string;
}

export interface AdminPageResponse extends WebhookResponse {
  contentType?: string;
  /** Headers to send with the page (no caching: it carries a live QR code). */
  headers?: Record<string, string>;
}

export interface AdminPage {
  /** Mounted by the HTTP server at GET /admin/whatsapp?token=… */
  handle(request: WebhookRequest): Promise<AdminPageResponse>;
}

/**
 * The page's few labels. It is an operator page (the office's IT person links the number), not
 * citizen text, so the labels stay here as one small map rather than in templates/; Indonesian,
 * as the operators are.
 */
const LABELS = {
  title: "WhatsApp Web — Kanal Aduan",
  heading: "Tautan nomor WhatsApp",
  stopped: "WhatsApp Web tidak berjalan.",
  locked: "Sesi WhatsApp Web dipegang oleh instance lain dari aplikasi ini. Halaman ini hanya berlaku di instance tersebut.",
  starting: "Menyalakan browser dan membuka WhatsApp Web…",
  waitingForScan: "Menunggu pemindaian kode QR.",
  scanSteps: [
    "Buka WhatsApp di ponsel nomor kantor.",
    "Ketuk ⋮ (Android) atau Setelan (iPhone), lalu Perangkat tertaut → Tautkan perangkat.",
    "Arahkan kamera ke kode di bawah ini. Kode berganti setiap ±20 detik; halaman ini ikut diperbarui.",
  ],
  qrAlt: "Kode QR untuk menautkan WhatsApp",
  qrPending: "Kode QR sedang disiapkan…",
  authenticated: "Kode QR sudah dipindai; memuat percakapan…",
  connected: "Terhubung sebagai",
  disconnected: "Terputus.",
  loggedOut: "Nomor telah keluar (logout). Sesi lama dihapus; kode QR baru sedang disiapkan.",
  reason: "Sebab",
  nextAttempt: "Mencoba lagi pada",
  refreshed: "Halaman ini diperbarui otomatis setiap 5 detik. Terakhir:",
  noToken: "Set WHATSAPP_WEB_ADMIN_TOKEN to open this page.",
  unauthorized: "Token salah atau tidak ada (?token=…).",
} as const;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

const PAGE_HEADERS: Record<string, string> = {
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "x-robots-tag": "noindex",
  "content-security-policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'",
};

const text = (status: number, body: string): AdminPageResponse => ({
  status,
  body,
  contentType: "text/plain; charset=utf-8",
  headers: { "cache-control": "no-store" },
});

function formatTime(iso: string, timeZone: string): string {
  return new Date(iso).toLocaleString("id-ID", { timeZone, dateStyle: "medium", timeStyle: "medium" });
}

/**
 * The operator's page: the state, and while waiting for a scan the QR code as an inline PNG. It
 * refreshes itself every 5 seconds (a meta refresh keeps the ?token= of the URL), so a new QR code
 * or the connection shows up without touching anything.
 */
export function createAdminPage(options: {
  adminToken?: string;
  status: () => WhatsAppWebStatus;
  qr: () => string | undefined;
  clock: () => Date;
  timeZone?: string;
}): AdminPage {
  const expected = options.adminToken?.trim() ? digest(options.adminToken.trim()) : undefined;
  const timeZone = options.timeZone ?? "Asia/Jakarta";
  let cachedQr: { qr: string; dataUrl: string } | undefined;

  async function qrImage(qr: string): Promise<string> {
    if (cachedQr?.qr !== qr) cachedQr = { qr, dataUrl: await QRCode.toDataURL(qr, { errorCorrectionLevel: "M", margin: 2, scale: 6 }) };
    return cachedQr.dataUrl;
  }

  async function render(): Promise<string> {
    const status = options.status();
    const parts: string[] = [];
    const line = (cls: string, html: string) => parts.push(`<p class="${cls}">${html}</p>`);
    switch (status.state) {
      case "stopped":
        line("state off", escapeHtml(LABELS.stopped));
        break;
      case "locked":
        line("state off", escapeHtml(LABELS.locked));
        break;
      case "starting":
        line("state wait", escapeHtml(LABELS.starting));
        break;
      case "waiting-for-scan": {
        line("state wait", escapeHtml(LABELS.waitingForScan));
        parts.push(`<ol>${LABELS.scanSteps.map((s) => `<li>${escapeHtml(s)}</li>`).join("")}</ol>`);
        const qr = options.qr();
        parts.push(
          qr ? `<img class="qr" alt="${escapeHtml(LABELS.qrAlt)}" src="${await qrImage(qr)}">` : `<p>${escapeHtml(LABELS.qrPending)}</p>`,
        );
        break;
      }
      case "authenticated":
        line("state wait", escapeHtml(LABELS.authenticated));
        break;
      case "connected":
        line("state ok", `${escapeHtml(LABELS.connected)} <strong>${escapeHtml(status.phone ?? "?")}</strong>`);
        break;
      case "disconnected":
        line("state bad", escapeHtml(LABELS.disconnected));
        break;
      case "logged-out":
        line("state bad", escapeHtml(LABELS.loggedOut));
        break;
    }
    if (status.reason && (status.state === "disconnected" || status.state === "logged-out")) {
      line("detail", `${escapeHtml(LABELS.reason)}: <code>${escapeHtml(status.reason)}</code>`);
    }
    if (status.nextAttemptAt && status.state === "disconnected") {
      line("detail", `${escapeHtml(LABELS.nextAttempt)} ${escapeHtml(formatTime(status.nextAttemptAt, timeZone))}`);
    }
    line("small", `${escapeHtml(LABELS.refreshed)} ${escapeHtml(formatTime(options.clock().toISOString(), timeZone))}`);
    return `<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(LABELS.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:36rem;padding:0 1rem;color:#1b1b1b}
.state{font-size:1.2rem;padding:.6rem .8rem;border-radius:.4rem}
.ok{background:#e3f6e8}.wait{background:#fff6d6}.bad{background:#fde2e1}.off{background:#eee}
.qr{display:block;width:18rem;height:18rem;image-rendering:pixelated;margin:1rem 0}
.small{color:#666;font-size:.85rem}
</style>
</head>
<body>
<h1>${escapeHtml(LABELS.heading)}</h1>
<main data-state="${escapeHtml(status.state)}">
${parts.join("\n")}
</main>
</body>
</html>
`;
  }

  return {
    async handle(request) {
      if (!expected) return text(404, LABELS.noToken);
      if (request.method !== "GET") return text(405, "GET only");
      const given = request.query.token;
      // Compared as SHA-256 digests: equal lengths for timingSafeEqual, and no early exit on length.
      if (given === undefined || given === "" || !timingSafeEqual(digest(given), expected)) return text(401, LABELS.unauthorized);
      return { status: 200, body: await render(), contentType: "text/html; charset=utf-8", headers: PAGE_HEADERS };
    },
  };
}
