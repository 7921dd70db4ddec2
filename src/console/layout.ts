import type { SignedIn } from "./sessions.js";
import { html, type Html, type HtmlValue } from "./html.js";
import type { Texts } from "./texts.js";

export type Section = "inbox" | "board" | "reports" | "staff" | "audit" | "complaint";

export interface PageFrame {
  t: Texts;
  officeName: string;
  title: string;
  /** The signed-in person; the sign-in page has none. */
  user?: SignedIn & { roleLabel: string; mayAdmin: boolean; mayAudit: boolean };
  section?: Section;
  /** The CSRF token for the sign-out form (and the page's own forms). */
  csrf: string;
  /** The path of this page, for the language switch. */
  path: string;
  body: HtmlValue;
  /** A number shown first in the tab title: new complaints and messages since the page was opened. */
  live?: boolean;
}

function languageLink(frame: PageFrame): Html {
  const other = frame.t.locale === "id" ? "en" : "id";
  const sep = frame.path.includes("?") ? "&" : "?";
  return html`<a class="lang" href="${frame.path}${sep}lang=${other}" lang="${other}" hreflang="${other}"
    >${frame.t("console.nav.otherLanguage")}</a
  >`;
}

/** Every page: skip link, header with the office and the menu, the page, in the staff's language. */
export function page(frame: PageFrame): Html {
  const { t, user } = frame;
  const item = (section: Section, href: string, label: string) =>
    html`<li><a href="${href}" ${frame.section === section ? html` aria-current="page"` : ""}>${label}</a></li>`;
  const nav = user
    ? html`<nav aria-label="${t("console.nav.main")}">
        <ul>
          ${item("inbox", "/staff/inbox", t("console.nav.inbox"))} ${item("board", "/staff/board", t("console.nav.board"))}
          ${item("reports", "/staff/reports", t("console.nav.reports"))}
          ${user.mayAdmin ? item("staff", "/staff/people", t("console.nav.staff")) : ""}
          ${user.mayAudit ? item("audit", "/staff/audit", t("console.nav.audit")) : ""}
        </ul>
      </nav>`
    : "";
  const account = user
    ? html`<div class="account">
        <span>${t("console.nav.signedInAs", { name: user.name, role: user.roleLabel })}</span>
        <form method="post" action="/staff/logout">
          <input type="hidden" name="_csrf" value="${frame.csrf}" />
          <button type="submit" class="link">${t("console.nav.signOut")}</button>
        </form>
        ${languageLink(frame)}
      </div>`
    : html`<div class="account">${languageLink(frame)}</div>`;
  return html`<!doctype html>
    <html lang="${t.locale}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="csrf-token" content="${frame.csrf}" />
        <title>${frame.title} — ${t("console.title")}</title>
        <link rel="stylesheet" href="/staff/static/console.css" />
        <script type="module" src="/staff/static/console.js"></script>
      </head>
      <body${frame.live ? html` data-live="1"` : ""}>
        <a class="skip" href="#main">${t("console.nav.skip")}</a>
        <header class="top">
          <div class="brand"><strong>${frame.officeName}</strong> <span>${t("console.title")}</span></div>
          ${account} ${nav}
        </header>
        <main id="main" tabindex="-1">${frame.body}</main>
      </body>
    </html>`;
}
