import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import QRCode from "qrcode";
import type { OperatorPage, OperatorPageResponse } from "../../src/core/index.js";

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

/** The operator's page: mounted by the HTTP server at /admin/whatsapp, behind its sign-in form. */
export type AdminPage = OperatorPage;
export type AdminPageResponse = OperatorPageResponse;

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
  signIn: "Masuk",
  tokenLabel: "Token admin (WHATSAPP_WEB_ADMIN_TOKEN)",
  signInFailed: "Token salah. Silakan coba lagi.",
  signOut: "Keluar",
} as const;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

const PAGE_HEADERS: Record<string, string> = {
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "x-robots-tag": "noindex",
  // Its own forms (sign in, sign out) post to this server; nothing else loads but the inline QR image.
  "content-security-policy":
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:36rem;padding:0 1rem;color:#1b1b1b}
.state{font-size:1.2rem;padding:.6rem .8rem;border-radius:.4rem}
.ok{background:#e3f6e8}.wait{background:#fff6d6}.bad{background:#fde2e1}.off{background:#eee}
.qr{display:block;width:18rem;height:18rem;image-rendering:pixelated;margin:1rem 0}
.small{color:#666;font-size:.85rem}
label,input,button{display:block;font:inherit;margin:.4rem 0}input{width:100%;padding:.4rem;box-sizing:border-box}`;

/** A key that signs session cookies, derived from the token: knowing a cookie reveals nothing of it. */
const sessionKeyOf = (token: string) => createHmac("sha256", "kanal-aduan operator session").update(token, "utf8").digest();

function formatTime(iso: string, timeZone: string): string {
  return new Date(iso).toLocaleString("id-ID", { timeZone, dateStyle: "medium", timeStyle: "medium" });
}

/**
 * The operator's page: the state, and while waiting for a scan the QR code as an inline PNG. It
 * refreshes itself every 5 seconds (the session cookie comes along), so a new QR code or the
 * connection shows up without touching anything. The token is typed into a sign-in form only.
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

  async function render(logoutAction: string): Promise<string> {
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
    parts.push(
      `<form method="post" action="${escapeHtml(logoutAction)}"><button type="submit">${escapeHtml(LABELS.signOut)}</button></form>`,
    );
    return page(`<meta http-equiv="refresh" content="5">`, `<main data-state="${escapeHtml(status.state)}">\n${parts.join("\n")}\n</main>`);
  }

  function page(head: string, main: string): string {
    return `<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
${head}<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(LABELS.title)}</title>
<style>
${STYLE}
</style>
</head>
<body>
<h1>${escapeHtml(LABELS.heading)}</h1>
${main}
</body>
</html>
`;
  }

  const token = options.adminToken?.trim() || undefined;
  return {
    enabled: expected !== undefined,
    checkSecret(given) {
      // Compared as SHA-256 digests: equal lengths for timingSafeEqual, and no early exit on length.
      return expected !== undefined && given !== "" && timingSafeEqual(digest(given), expected);
    },
    sessionKey: () => (token ? sessionKeyOf(token) : undefined),
    async render({ logoutAction }) {
      return { status: 200, body: await render(logoutAction), headers: PAGE_HEADERS };
    },
    loginForm({ action, failed }) {
      const form = `<main data-state="signed-out">
${failed ? `<p class="state bad" role="alert">${escapeHtml(LABELS.signInFailed)}</p>\n` : ""}<form method="post" action="${escapeHtml(action)}">
<label for="token">${escapeHtml(LABELS.tokenLabel)}</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">${escapeHtml(LABELS.signIn)}</button>
</form>
</main>`;
      return { status: 401, body: page("", form), headers: PAGE_HEADERS };
    },
  };
}
