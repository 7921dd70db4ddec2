// Kanal Aduan — the website chat page. Plain ES module, no build step, no dependencies.
//
// Decisions worth knowing:
// - The conversation shown is always the server's history (GET …/messages), never the POST replies:
//   every message has an id, so a reply is drawn exactly once whether it arrives through a POST,
//   a poll or a reload. Answer buttons come from the history's `options` when the server stores
//   them there, else from the POST replies (the contract's minimum).
// - Each text carries a `clientMessageId`: a retry after a network failure is processed once.
// - Untrusted text never goes through innerHTML: it is split into text nodes, <strong> and <br>.
// - All wording comes from /webchat/texts/<locale> (templates/<locale>/webchat.json).

const API = "/api/webchat";
const STORE_KEY = "kanal-aduan.webchat.v1";
const LOCALES = ["id", "en"];
/** The contract's defaults, until the server says its own (GET /webchat/config). */
const DEFAULT_LIMITS = { maxAttachmentBytes: 10 * 1024 * 1024, maxTextLength: 4000, sessionIdleDays: 30 };
const DAY_MS = 24 * 60 * 60 * 1000;
const POLL_MS = 3000;
/** Sent silently to open a new conversation: any first message gets the greeting and the menu. */
const START_TEXT = "menu";
/** The keywords that switch the bot's language (see the contract). */
const LOCALE_KEYWORD = { en: "english", id: "indonesia" };

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const els = {
  log: $("log"),
  typing: $("typing"),
  form: /** @type {HTMLFormElement} */ ($("composer")),
  input: /** @type {HTMLTextAreaElement} */ ($("composer-input")),
  send: /** @type {HTMLButtonElement} */ ($("send")),
  attach: /** @type {HTMLButtonElement} */ ($("attach")),
  file: /** @type {HTMLInputElement} */ ($("file")),
  langToggle: /** @type {HTMLButtonElement} */ ($("lang-toggle")),
  langToggleText: $("lang-toggle-text"),
  newConversation: /** @type {HTMLButtonElement} */ ($("new-conversation")),
  endSession: /** @type {HTMLButtonElement} */ ($("end-session")),
  menuButton: /** @type {HTMLButtonElement} */ ($("menu-button")),
  menu: $("session-menu"),
  connection: $("connection"),
  count: $("composer-count"),
  status: $("composer-status"),
  topbar: /** @type {HTMLElement} */ (document.querySelector(".topbar")),
  composer: /** @type {HTMLElement} */ (document.querySelector(".composer")),
  main: $("main"),
  intro: $("intro"),
};

const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

/**
 * @typedef {{ id: string, mime: string, name?: string }} HistoryFile
 * @typedef {{ id: string, from: "citizen" | "bot" | "staff", text: string, at: string, options?: string[], files?: HistoryFile[] }} HistoryMessage
 * @typedef {{ afterId: string, list: string[] }} PendingOptions
 */
const state = {
  /** @type {string | null} */ sessionId: null,
  /** @type {string | null} */ cursor: null,
  locale: "id",
  /** @type {Record<string, string>} */ texts: {},
  limits: { ...DEFAULT_LIMITS },
  /** Message ids already drawn: the de-duplication key. */
  shown: new Set(),
  /** @type {PendingOptions | null} */ options: null,
  busy: false,
  /** "Akhiri sesi" was chosen (or the idle time passed): no session until the person starts again. */
  ended: false,
  /** The last option was chosen with the keyboard: keep the focus among the options. */
  keyboardChoice: false,
  online: true,
};

// ---------------------------------------------------------------- storage

function loadStore() {
  try {
    const raw = window.localStorage.getItem(STORE_KEY);
    const data = raw ? JSON.parse(raw) : {};
    return data && typeof data === "object" ? data : {};
  } catch {
    return {}; // storage disabled (private mode): the page still works, without resume
  }
}

function saveStore() {
  try {
    window.localStorage.setItem(
      STORE_KEY,
      JSON.stringify({
        sessionId: state.sessionId,
        cursor: state.cursor,
        locale: state.locale,
        options: state.options,
        // When this device last used the conversation: past the session's idle time it is not shown again.
        lastActive: Date.now(),
      }),
    );
  } catch {
    /* storage full or disabled: nothing to do */
  }
}

// ---------------------------------------------------------------- texts

/** @param {string} key @param {Record<string, string | number>} [vars] */
function t(key, vars = {}) {
  const template = state.texts[key];
  if (template === undefined) return key;
  /** @type {Record<string, string | number>} */
  const all = { office: state.texts["office.name"] ?? "", maxMb: formatMb(state.limits.maxAttachmentBytes), ...vars };
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in all ? String(all[name]) : whole));
}

/**
 * Megabytes as the bot writes them (one decimal, src/pipeline), in the page's language: "2,5" / "2.5".
 * @param {number} bytes
 */
function formatMb(bytes) {
  const mb = Math.round((bytes / (1024 * 1024)) * 10) / 10;
  return new Intl.NumberFormat(state.locale === "id" ? "id-ID" : "en-GB", { maximumFractionDigits: 1 }).format(mb);
}

/** The server's limits: the file size the attach button names, the text length the counter counts to. */
async function loadLimits() {
  try {
    const res = await fetch("/webchat/config", { headers: { accept: "application/json" } });
    if (!res.ok) return;
    const config = await res.json();
    for (const key of /** @type {const} */ (["maxAttachmentBytes", "maxTextLength", "sessionIdleDays"])) {
      const value = config?.[key];
      if (Number.isInteger(value) && value > 0) state.limits[key] = value;
    }
  } catch {
    /* keep the defaults; the server still enforces its own */
  }
}

/** @param {string} locale */
async function loadTexts(locale) {
  const res = await fetch(`/webchat/texts/${encodeURIComponent(locale)}`, { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`texts ${locale}: HTTP ${res.status}`);
  const texts = await res.json();
  if (!texts || typeof texts !== "object") throw new Error(`texts ${locale}: not an object`);
  state.texts = texts;
  state.locale = locale;
}

/** Puts the current texts into the static page; elements whose key is missing keep their text. */
function applyTexts() {
  document.documentElement.lang = state.locale;
  if (state.texts["page.title"]) document.title = t("page.title");
  for (const el of document.querySelectorAll("[data-t]")) {
    const key = el.getAttribute("data-t");
    if (key && key in state.texts) el.textContent = t(key);
  }
  for (const attr of ["aria-label", "placeholder", "title"]) {
    for (const el of document.querySelectorAll(`[data-t-${attr}]`)) {
      const key = el.getAttribute(`data-t-${attr}`);
      if (key && key in state.texts) el.setAttribute(attr, t(key));
    }
  }
  els.log.setAttribute("aria-label", t("log.aria"));
  // The toggle names the other language in that language.
  els.langToggleText.lang = state.texts["lang.toggle.langTag"] ?? (state.locale === "id" ? "en" : "id");
  // Labels already drawn follow the language too.
  for (const label of els.log.querySelectorAll(".msg__from")) {
    const from = label.closest(".msg")?.getAttribute("data-from") ?? "bot";
    label.textContent = senderLabel(from);
  }
  for (const group of els.log.querySelectorAll(".options")) group.setAttribute("aria-label", t("options.aria"));
  if (!els.count.hidden) updateCounter();
  if (!els.connection.hidden) setOnline(state.online);
}

// ---------------------------------------------------------------- rendering

/** @param {string} from */
function senderLabel(from) {
  if (from === "citizen") return t("from.citizen");
  if (from === "staff") return t("from.staff");
  return t("from.bot");
}

/**
 * Bot texts use newlines and *bold*. Everything else is shown as typed: text nodes only.
 * @param {string} text @param {HTMLElement} into
 */
function appendFormatted(text, into) {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  lines.forEach((line, i) => {
    if (i > 0) into.append(document.createElement("br"));
    // *x* is bold only when the stars hug non-space characters, so "2 * 3 * 4" stays as it is.
    const bold = /\*(?=\S)([^*\n]*?\S)\*/g;
    let last = 0;
    for (let match = bold.exec(line); match; match = bold.exec(line)) {
      if (match.index > last) appendPlain(line.slice(last, match.index), into);
      const strong = document.createElement("strong");
      appendPlain(match[1] ?? "", strong);
      into.append(strong);
      last = match.index + match[0].length;
    }
    if (last < line.length) appendPlain(line.slice(last), into);
  });
}

/**
 * Text, with ticket numbers (ADU-2026-00042) set apart so they are easy to find and copy.
 * @param {string} text @param {HTMLElement} into
 */
function appendPlain(text, into) {
  const ticket = /\b[A-Z]{2,12}-\d{4}-\d{5,}\b/g;
  let last = 0;
  for (let match = ticket.exec(text); match; match = ticket.exec(text)) {
    if (match.index > last) into.append(document.createTextNode(text.slice(last, match.index)));
    const span = document.createElement("span");
    span.className = "ticket";
    span.textContent = match[0];
    into.append(span);
    last = match.index + match[0].length;
  }
  if (last < text.length) into.append(document.createTextNode(text.slice(last)));
}

/** @param {string} at */
function formatTime(at) {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return "";
  const now = new Date();
  const sameDay = date.toDateString() === now.toDateString();
  const tag = state.locale === "id" ? "id-ID" : "en-GB";
  const options = sameDay ? { hour: "2-digit", minute: "2-digit" } : { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(tag, /** @type {Intl.DateTimeFormatOptions} */ (options)).format(date);
}

/**
 * @param {{ from: string, text: string, at?: string, id?: string, pending?: boolean, file?: boolean, files?: unknown }} m
 * @returns {HTMLElement}
 */
function messageElement(m) {
  const from = m.from === "citizen" || m.from === "staff" ? m.from : "bot";
  const el = document.createElement("div");
  el.className = `msg msg--${from}`;
  el.setAttribute("data-from", from);
  if (m.id) el.setAttribute("data-id", m.id);

  const previous = lastMessageElement();
  const continues = previous?.getAttribute("data-from") === from;
  if (continues) el.classList.add("msg--cont");

  const label = document.createElement("span");
  label.className = from === "staff" ? "msg__from msg__from--staff" : "msg__from visually-hidden";
  label.textContent = senderLabel(from);
  el.append(label);

  const bubble = document.createElement("div");
  bubble.className = "msg__bubble";
  const body = document.createElement("div");
  body.className = "msg__text";
  if (m.text.trim() === "") {
    // A file on its own: the history has no text for it.
    body.classList.add("msg__text--file");
    body.textContent = t("attachment.sent");
  } else {
    appendFormatted(m.text, body);
  }
  if (m.file) body.classList.add("msg__text--file");
  const thumbs = thumbnails(m.files);
  if (thumbs) bubble.append(thumbs);
  bubble.append(body);
  const links = from === "staff" ? downloads(m.files) : null;
  if (links) bubble.append(links);

  const meta = document.createElement("div");
  meta.className = "msg__meta";
  if (m.pending) {
    meta.textContent = t("sending");
  } else if (m.at) {
    const time = document.createElement("time");
    time.dateTime = m.at;
    time.textContent = formatTime(m.at);
    meta.append(time);
  }
  bubble.append(meta);
  el.append(bubble);
  return el;
}

/** Images the server draws as thumbnails (the type its check of the bytes found). */
const THUMBNAIL_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"];

/**
 * The images a message carried (the citizen's, or staff's with a reply), as thumbnails, served only
 * to this session. The citizen's other files are named by the message's text; staff's are downloads.
 * @param {unknown} files
 * @returns {HTMLElement | null}
 */
function thumbnails(files) {
  if (!Array.isArray(files) || !state.sessionId) return null;
  const images = files.filter((f) => f && typeof f.id === "string" && THUMBNAIL_TYPES.includes(f.mime));
  if (images.length === 0) return null;
  const box = document.createElement("div");
  box.className = "msg__thumbs";
  for (const f of images) {
    const img = document.createElement("img");
    img.className = "msg__thumb";
    img.src = `${API}/sessions/${encodeURIComponent(state.sessionId)}/files/${encodeURIComponent(f.id)}`;
    img.alt = typeof f.name === "string" ? f.name : t("attachment.sent");
    img.loading = "lazy";
    img.decoding = "async";
    box.append(img);
  }
  return box;
}

/**
 * The other files staff sent with a reply (a PDF letter, a document), as downloads from this session
 * only; the server sends them as attachments, never to be drawn in the page.
 * @param {unknown} files
 * @returns {HTMLElement | null}
 */
function downloads(files) {
  if (!Array.isArray(files) || !state.sessionId) return null;
  const others = files.filter((f) => f && typeof f.id === "string" && !THUMBNAIL_TYPES.includes(f.mime));
  if (others.length === 0) return null;
  const list = document.createElement("ul");
  list.className = "msg__files";
  for (const f of others) {
    const name = typeof f.name === "string" ? f.name : t("attachment.sent");
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.className = "msg__file";
    link.href = `${API}/sessions/${encodeURIComponent(state.sessionId)}/files/${encodeURIComponent(f.id)}`;
    link.download = name;
    link.textContent = t("attachment.download", { name });
    item.append(link);
    list.append(item);
  }
  return list;
}

function lastMessageElement() {
  const all = els.log.querySelectorAll(".msg:not(.msg--pending)");
  return all.length > 0 ? /** @type {HTMLElement} */ (all[all.length - 1]) : null;
}

function nearBottom() {
  const doc = document.documentElement;
  return doc.scrollHeight - (window.scrollY + window.innerHeight) < 160;
}

/** @param {boolean} [smooth] */
function scrollToEnd(smooth = true) {
  scrollPage(Number.POSITIVE_INFINITY, smooth);
}

/**
 * Scrolls the document, never leaving the intro card half under the sticky header: it is either
 * whole on screen or scrolled away whole. When the conversation is still too short to scroll it
 * away, room is made under the newest message (and taken back as the conversation grows).
 * @param {number} top @param {boolean} smooth
 */
function scrollPage(top, smooth) {
  els.main.style.paddingBottom = "";
  const doc = document.documentElement;
  const max = doc.scrollHeight - window.innerHeight;
  const wanted = Math.max(0, Math.min(max, top));
  const header = els.topbar.getBoundingClientRect().height;
  const intro = els.intro.getBoundingClientRect();
  const introTop = intro.top + window.scrollY;
  const introEnd = intro.bottom + window.scrollY + parseFloat(getComputedStyle(els.intro).marginBottom || "0");
  let target = wanted;
  if (wanted > introTop - header && wanted < introEnd - header) {
    target = Math.ceil(introEnd - header);
    if (target > max) els.main.style.paddingBottom = `calc(0.5rem + ${target - max}px)`;
  }
  window.scrollTo({ top: target, behavior: smooth && !reducedMotion.matches ? "smooth" : "auto" });
}

/**
 * Brings new messages into view: to the end when they fit on the screen, else to the first of
 * them, so a long answer (the summary, the receipt) is read from its beginning.
 * @param {Element | null} first
 */
function reveal(first) {
  if (!first) return scrollToEnd();
  const header = els.topbar.getBoundingClientRect().height;
  const firstTop = first.getBoundingClientRect().top + window.scrollY - header - 8;
  scrollPage(firstTop, true);
}

/**
 * Draws history messages not drawn yet. `whole` is true when the list starts at the very beginning
 * of the conversation: its first entry may be the page's own silent opener.
 * @param {HistoryMessage[]} messages @param {boolean} whole
 */
function renderHistory(messages, whole) {
  /** @type {HistoryMessage[]} */
  const added = [];
  messages.forEach((m, i) => {
    if (!m || typeof m.id !== "string" || state.shown.has(m.id)) return;
    state.shown.add(m.id);
    if (whole && i === 0 && m.from === "citizen" && String(m.text).trim().toLowerCase() === START_TEXT) return;
    els.log.append(messageElement({ from: m.from, text: String(m.text ?? ""), at: m.at, id: m.id, files: m.files }));
    added.push(m);
  });
  // A new bot message replaces the buttons: its own (a rating question can come by poll), or none.
  const lastBot = added.filter((m) => m.from === "bot").pop();
  if (lastBot)
    state.options = cleanOptions(lastBot.options).length > 0 ? { afterId: lastBot.id, list: cleanOptions(lastBot.options) } : null;
  if (added.length > 0) placeOptions();
  return added;
}

/** @param {unknown} list @returns {string[]} */
function cleanOptions(list) {
  return Array.isArray(list) ? list.filter((o) => typeof o === "string" && o.trim() !== "") : [];
}

/**
 * A notice from the page itself (not the bot): errors, mostly. Announced by the log.
 * @param {string} text @param {string} [kind] @param {() => void} [retry]
 */
function notice(text, kind = "error", retry) {
  const el = document.createElement("div");
  el.className = `notice notice--${kind}`;
  const p = document.createElement("p");
  p.textContent = text;
  el.append(p);
  if (retry) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "notice__retry";
    button.textContent = t("retry");
    button.addEventListener("click", () => {
      el.remove();
      retry();
    });
    el.append(button);
  }
  els.log.append(el);
  scrollToEnd();
  return el;
}

// ---------------------------------------------------------------- options (answer buttons)

function removeOptions() {
  for (const group of els.log.querySelectorAll(".options")) group.remove();
}

/** Shows the current options under the bot message they belong to. */
function placeOptions() {
  removeOptions();
  const opts = state.options;
  if (!opts || opts.list.length === 0) return;
  const anchor = els.log.querySelector(`.msg[data-id="${CSS.escape(opts.afterId)}"]`);
  if (!anchor) return;
  const group = document.createElement("div");
  group.className = "options";
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", t("options.aria"));
  for (const label of opts.list) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "option";
    button.textContent = label;
    button.disabled = state.busy;
    button.addEventListener("click", (event) => {
      // detail 0: activated with Enter/Space, not a pointer.
      state.keyboardChoice = event.detail === 0;
      void deliver({ kind: "text", text: label });
    });
    group.append(button);
  }
  anchor.after(group);
}

/** @param {boolean} disabled */
function setOptionsDisabled(disabled) {
  for (const button of els.log.querySelectorAll(".option")) /** @type {HTMLButtonElement} */ (button).disabled = disabled;
}

// ---------------------------------------------------------------- network

/** @param {string} path @param {RequestInit} [init] */
function api(path, init) {
  return fetch(`${API}${path}`, { ...init, headers: { accept: "application/json", ...(init?.headers ?? {}) } });
}

/** @param {string} path @param {unknown} body */
function postJson(path, body) {
  return api(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

async function createSession() {
  let res = await postJson("/sessions", { locale: state.locale });
  // The contract names `{}` and `{"locale":"en"}`; an older server may refuse an explicit "id".
  if (res.status === 400) res = await postJson("/sessions", state.locale === "en" ? { locale: "en" } : {});
  if (!res.ok) throw new HttpError(res.status);
  const body = await res.json();
  if (!body || typeof body.sessionId !== "string") throw new HttpError(res.status);
  state.sessionId = body.sessionId;
  state.cursor = null;
  saveStore();
  return Array.isArray(body.replies) ? body.replies : [];
}

class HttpError extends Error {
  /** @param {number} status */
  constructor(status) {
    super(`HTTP ${status}`);
    this.status = status;
  }
}

// History fetches run one after another: a poll never races a refresh after a POST.
/** @type {Promise<unknown>} */
let syncChain = Promise.resolve();
let syncsQueued = 0;

/** Fetches everything after the cursor (or the whole history) and draws what is new. */
function sync() {
  syncsQueued += 1;
  const run = syncChain.then(doSync).finally(() => {
    syncsQueued -= 1;
  });
  syncChain = run.catch(() => undefined);
  return run;
}

/** @returns {Promise<HistoryMessage[]>} the messages drawn now */
async function doSync() {
  const sessionId = state.sessionId;
  if (!sessionId) return [];
  const cursor = state.cursor;
  const whole = cursor === null;
  const query = cursor === null ? "" : `?after=${encodeURIComponent(cursor)}`;
  let res;
  try {
    res = await api(`/sessions/${encodeURIComponent(sessionId)}/messages${query}`);
  } catch (error) {
    setOnline(false);
    throw error;
  }
  if (!res.ok) {
    if (res.status >= 500) setOnline(false);
    throw new HttpError(res.status);
  }
  const body = await res.json();
  setOnline(true);
  if (sessionId !== state.sessionId) return []; // a new conversation started meanwhile
  if (LOCALES.includes(body?.locale) && body.locale !== state.locale) await followLocale(body.locale);
  /** @type {HistoryMessage[]} */
  const messages = Array.isArray(body?.messages) ? body.messages : [];
  if (messages.some((m) => m?.from === "citizen")) {
    for (const pending of els.log.querySelectorAll(".msg--pending")) pending.remove();
  }
  const stick = nearBottom();
  const added = renderHistory(messages, whole);
  if (typeof body?.cursor === "string" && body.cursor !== "") state.cursor = body.cursor;
  saveStore();
  if (added.length > 0 && stick) reveal(els.log.querySelector(`.msg[data-id="${CSS.escape(added[0].id)}"]`));
  return added;
}

/** @param {boolean} online */
function setOnline(online) {
  state.online = online;
  els.connection.hidden = online;
  els.connection.textContent = online ? "" : t("status.offline");
}

// ---------------------------------------------------------------- sending

/** @param {boolean} busy */
function setBusy(busy) {
  state.busy = busy;
  els.send.disabled = busy || state.ended;
  els.attach.disabled = busy || state.ended;
  els.langToggle.disabled = busy;
  els.form.setAttribute("aria-busy", String(busy));
  els.typing.hidden = !busy;
  setOptionsDisabled(busy);
  // The typing indicator's room is gone: the page may have moved up under the header.
  if (!busy) scrollPage(window.scrollY, false);
}

/**
 * @typedef {{ kind: "text", text: string, silent?: boolean, clientMessageId?: string } | { kind: "file", file: File }} Outgoing
 */

function newMessageId() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** @param {Outgoing} out */
function post(out) {
  const path = `/sessions/${encodeURIComponent(state.sessionId ?? "")}`;
  if (out.kind === "text") {
    // Kept across a retry of the same message: the server answers a repeat without processing it again.
    out.clientMessageId ??= newMessageId();
    return postJson(`${path}/messages`, { text: out.text, clientMessageId: out.clientMessageId });
  }
  const form = new FormData();
  form.append("file", out.file, out.file.name);
  return api(`${path}/attachments`, { method: "POST", body: form });
}

/** Forgets the conversation on this device (the office keeps it). */
function forgetConversation() {
  state.sessionId = null;
  state.cursor = null;
  state.options = null;
  state.shown.clear();
  els.log.replaceChildren();
  saveStore();
}

/**
 * Nothing of the conversation stays on this device: no session id, no text on the page, nothing
 * in storage. The next person at a shared computer starts from an empty page.
 */
function wipeDevice() {
  state.sessionId = null;
  state.cursor = null;
  state.options = null;
  state.shown.clear();
  els.log.replaceChildren();
  els.input.value = "";
  updateCounter();
  try {
    window.localStorage.removeItem(STORE_KEY);
    window.sessionStorage.clear();
  } catch {
    /* storage disabled: nothing was kept */
  }
}

/** A card in place of the conversation, with the one way on: a new conversation. */
function showEnded(text) {
  const el = notice(text, "info");
  el.id = "session-ended";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "notice__retry";
  button.id = "start-again";
  button.textContent = t("ended.start");
  button.addEventListener("click", () => {
    el.remove();
    setEnded(false);
    void start();
  });
  el.append(button);
  return button;
}

/** While ended, there is no session to send to: the composer waits for "start again". */
function setEnded(ended) {
  state.ended = ended;
  els.input.disabled = ended;
  els.send.disabled = ended;
  els.attach.disabled = ended;
}

async function endSession() {
  if (state.busy) return;
  if (!window.confirm(t("endSession.confirm"))) return;
  wipeDevice();
  setEnded(true);
  showEnded(t("ended")).focus();
}

/**
 * Sends a text or a file, then draws the conversation from the history.
 * @param {Outgoing} out
 * @returns {Promise<boolean>} whether the bot took it
 */
async function deliver(out) {
  if (state.busy || state.ended) return false;
  setBusy(true);
  const silent = out.kind === "text" && out.silent;
  const pending = silent
    ? null
    : messageElement(
        out.kind === "text"
          ? { from: "citizen", text: out.text, pending: true }
          : { from: "citizen", text: out.file.name, pending: true, file: true },
      );
  if (pending) {
    pending.classList.add("msg--pending");
    els.log.append(pending);
    scrollToEnd();
  }
  try {
    if (!state.sessionId) await openConversation();
    let res = await post(out);
    if (res.status === 404) {
      // The office no longer knows this conversation (expired or reset): start afresh, once.
      forgetConversation();
      if (out.kind === "text") delete out.clientMessageId;
      await openConversation();
      if (pending) els.log.append(pending);
      res = await post(out);
    }
    const body = await res.json().catch(() => ({}));
    const replies = Array.isArray(body?.replies) ? body.replies : [];
    if (!res.ok) {
      pending?.remove();
      // A declined file may still have been answered by the bot (in the history): show that answer;
      // the page's own notice only when the bot said nothing.
      const drawn = replies.length > 0 ? await sync().catch(() => []) : [];
      if (!silent && !drawn.some((m) => m.from === "bot")) refused(res.status, out);
      return false;
    }
    const drawn = await sync().catch(() => []);
    applyReplyOptions(drawn, replies);
    focusAfterReply();
    return true;
  } catch (error) {
    if (silent) {
      // The caller says what failed (the opening of a conversation).
      if (!(error instanceof HttpError)) setOnline(false);
    } else if (error instanceof HttpError) {
      pending?.remove();
      refused(error.status, out);
    } else {
      // Nothing typed is lost: the message stays, marked, with a retry that the server
      // recognises (same clientMessageId) if the first attempt did arrive after all.
      setOnline(false);
      markFailed(pending);
      notice(t("error.network"), "error", () => {
        pending?.remove();
        void deliver(out);
      });
    }
    return false;
  } finally {
    setBusy(false);
  }
}

/**
 * The contract's minimum: options come with the POST replies. Used when the history did not carry
 * them for the newest bot message.
 * @param {HistoryMessage[]} drawn @param {Array<{ options?: unknown }>} replies
 */
function applyReplyOptions(drawn, replies) {
  const lastBot = drawn.filter((m) => m.from === "bot").pop();
  if (lastBot && "options" in lastBot) return; // the history said it, with or without buttons
  const list = cleanOptions(replies[replies.length - 1]?.options);
  const anchor = lastBot?.id ?? [...els.log.querySelectorAll('.msg[data-from="bot"]')].pop()?.getAttribute("data-id");
  if (!anchor) return;
  state.options = list.length > 0 ? { afterId: anchor, list } : null;
  saveStore();
  placeOptions();
}

/** @param {HTMLElement | null} bubble */
function markFailed(bubble) {
  if (!bubble) return;
  bubble.classList.remove("msg--pending");
  bubble.classList.add("msg--failed");
  const meta = bubble.querySelector(".msg__meta");
  if (meta) meta.textContent = t("notSent");
}

/** @param {number} status @param {Outgoing} out */
function refused(status, out) {
  const name = out.kind === "file" ? out.file.name : "";
  if (status === 413) notice(t("error.tooLarge", { name }));
  else if (status === 415) notice(t("error.type", { name }));
  else if (status === 400) notice(t("error.badRequest"));
  else notice(t("error.server"), "error", () => void deliver(out));
}

function focusAfterReply() {
  if (!state.keyboardChoice) return;
  state.keyboardChoice = false;
  const first = /** @type {HTMLButtonElement | null} */ (els.log.querySelector(".option"));
  (first ?? els.input).focus();
}

// ---------------------------------------------------------------- composer

function autoGrow() {
  els.input.style.height = "auto";
  els.input.style.height = `${Math.min(els.input.scrollHeight, 160)}px`;
}

/** Near this share of the limit the counter shows. */
const NEAR_LIMIT = 0.9;
/** @type {"ok" | "near" | "over"} */
let lengthState = "ok";
/** @type {HTMLElement | null} */
let tooLongNotice = null;

/** @param {number} n */
function formatCount(n) {
  return new Intl.NumberFormat(state.locale === "id" ? "id-ID" : "en-GB").format(n);
}

/** Announced once by the status region (a counter read out at every key would drown the person). @param {string} text */
function announce(text) {
  els.status.textContent = text;
}

/**
 * The length as the server counts it (the text it receives is trimmed). Near the limit a counter
 * shows; over it the box is marked invalid and the counter says so, before anything is sent.
 */
function updateCounter() {
  const max = state.limits.maxTextLength;
  const count = els.input.value.trim().length;
  const next = count > max ? "over" : count >= Math.floor(max * NEAR_LIMIT) ? "near" : "ok";
  els.count.hidden = next === "ok";
  els.count.classList.toggle("composer__count--over", next === "over");
  if (next !== "ok") {
    const vars = { count: formatCount(count), max: formatCount(max) };
    els.count.textContent = t(next === "over" ? "composer.count.over" : "composer.count", vars);
  }
  if (next === "over") els.input.setAttribute("aria-invalid", "true");
  else els.input.removeAttribute("aria-invalid");
  if (next !== lengthState) {
    if (next === "near" && lengthState === "ok") announce(t("composer.count.left", { left: formatCount(max - count) }));
    if (next === "over") announce(els.count.textContent ?? "");
    lengthState = next;
  }
  if (next !== "over" && tooLongNotice) {
    tooLongNotice.remove();
    tooLongNotice = null;
  }
}

async function submitText() {
  const text = els.input.value.trim();
  if (text === "" || state.busy) {
    els.input.focus({ preventScroll: true });
    return;
  }
  const max = state.limits.maxTextLength;
  if (text.length > max) {
    // Never cut what the person wrote: it stays in the box, and the page says why it was not sent.
    tooLongNotice?.remove();
    tooLongNotice = notice(t("composer.tooLong", { count: formatCount(text.length), max: formatCount(max) }));
    els.input.focus({ preventScroll: true });
    return;
  }
  els.input.value = "";
  autoGrow();
  updateCounter();
  await deliver({ kind: "text", text });
  // The text box keeps the focus, so a phone's keyboard stays open for the next message (unless
  // the person has moved on to something else meanwhile).
  const focused = document.activeElement;
  if (!focused || focused === document.body || focused === els.send) els.input.focus({ preventScroll: true });
}

/** @param {File} file */
async function sendFile(file) {
  if (file.size > state.limits.maxAttachmentBytes) {
    // Refused here, before a long upload on a phone connection; the office refuses it anyway.
    notice(t("error.tooLarge", { name: file.name }));
    return;
  }
  await deliver({ kind: "file", file });
}

/**
 * The button says the keyword for the person; the page's texts change when the history reports the
 * conversation's new locale (see followLocale), exactly as when the keyword is typed.
 */
async function toggleLanguage() {
  if (state.busy) return;
  const next = state.locale === "id" ? "en" : "id";
  // No conversation to tell (the session was ended): only the page changes language.
  if (state.ended) return followLocale(next);
  await deliver({ kind: "text", text: LOCALE_KEYWORD[next] });
}

/**
 * The conversation's language changed (the button, or `english` / `indonesia` typed): the header,
 * the placeholder and the buttons follow it. Texts that fail to load are tried again on the next sync.
 * @param {string} locale
 */
async function followLocale(locale) {
  try {
    await loadTexts(locale);
  } catch {
    return;
  }
  applyTexts();
  rerenderTimes();
  saveStore();
}

function rerenderTimes() {
  for (const time of els.log.querySelectorAll("time")) time.textContent = formatTime(time.dateTime);
}

// ---------------------------------------------------------------- conversation menu

/** @param {boolean} open @param {{ focus?: boolean }} [how] */
function setMenu(open, how = {}) {
  els.menuButton.setAttribute("aria-expanded", String(open));
  els.menu.hidden = !open;
  if (open && how.focus) /** @type {HTMLElement | null} */ (els.menu.querySelector("button"))?.focus();
}

function bindMenu() {
  els.menuButton.addEventListener("click", (event) => {
    const open = els.menuButton.getAttribute("aria-expanded") !== "true";
    // Opened with the keyboard (detail 0): the focus goes to the first entry.
    setMenu(open, { focus: event.detail === 0 });
  });
  const container = /** @type {HTMLElement} */ (els.menuButton.parentElement);
  container.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || els.menu.hidden) return;
    event.preventDefault();
    setMenu(false);
    els.menuButton.focus();
  });
  container.addEventListener("focusout", (event) => {
    const next = /** @type {Node | null} */ (event.relatedTarget);
    if (next && !container.contains(next)) setMenu(false);
  });
  document.addEventListener("click", (event) => {
    if (!els.menu.hidden && !container.contains(/** @type {Node} */ (event.target))) setMenu(false);
  });
  for (const item of els.menu.querySelectorAll("button")) item.addEventListener("click", () => setMenu(false));
}

/** The sticky bars' heights, for scroll-padding (style.css): focused things never hide under them. */
function trackBarHeights() {
  const set = () => {
    document.documentElement.style.setProperty("--header-h", `${els.topbar.getBoundingClientRect().height}px`);
    document.documentElement.style.setProperty("--composer-h", `${els.composer.getBoundingClientRect().height}px`);
  };
  set();
  if (typeof ResizeObserver === "function") {
    const observer = new ResizeObserver(set);
    observer.observe(els.topbar);
    observer.observe(els.composer);
  }
}

async function newConversation() {
  if (state.busy) return;
  if (!window.confirm(t("newConversation.confirm"))) return;
  forgetConversation();
  await start();
}

function bindEvents() {
  els.form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submitText();
  });
  els.input.addEventListener("keydown", (event) => {
    // isComposing: Enter that ends an IME composition is not a send.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void submitText();
    }
  });
  els.input.addEventListener("input", () => {
    autoGrow();
    updateCounter();
  });
  // A tap on Kirim must not take the focus from the text box: the keyboard would close, and a
  // focus() after the answer cannot reopen it (mobile browsers open it only on a user's gesture).
  els.send.addEventListener("mousedown", (event) => event.preventDefault());
  els.attach.addEventListener("click", () => els.file.click());
  els.file.addEventListener("change", () => {
    const file = els.file.files?.[0];
    els.file.value = ""; // the same file can be chosen again
    if (file) void sendFile(file);
  });
  els.langToggle.addEventListener("click", () => void toggleLanguage());
  els.newConversation.addEventListener("click", () => void newConversation());
  els.endSession.addEventListener("click", () => void endSession());
  bindMenu();
  trackBarHeights();
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void poll();
  });
  window.setInterval(() => void poll(), POLL_MS);
}

/** Staff replies arrive through the history; only while the tab is seen and nothing is in flight. */
async function poll() {
  if (document.visibilityState !== "visible" || state.busy || !state.sessionId || syncsQueued > 0) return;
  // Left open past the idle time (a shared computer): the conversation leaves the screen.
  if (idleTooLong(loadStore())) {
    wipeDevice();
    setEnded(true);
    showEnded(t("expired"));
    return;
  }
  await sync().catch(() => 0);
}

// ---------------------------------------------------------------- start

/**
 * A new conversation. This server greets on its own (the greeting and menu are the first history
 * entries, returned with the session); a server that waits for the citizen gets a silent "menu".
 */
async function openConversation() {
  const replies = await createSession();
  const drawn = await sync().catch(() => []);
  if (drawn.length > 0) {
    applyReplyOptions(drawn, replies);
    return true;
  }
  return replies.length > 0;
}

/** Opens a conversation when the page has none: the bot greets and shows the menu. */
async function start() {
  let ok;
  try {
    setBusy(true);
    ok = await openConversation();
  } catch {
    ok = false;
  } finally {
    setBusy(false);
  }
  // The menu's buttons are what to do next: in view, even when the greeting scrolls up for them.
  if (ok) scrollToEnd(false);
  if (!ok && state.sessionId) ok = await deliver({ kind: "text", text: START_TEXT, silent: true });
  if (!ok) notice(t("error.start"), "error", () => void start());
}

/**
 * A stored conversation: its whole history, and the options still open.
 * @param {{ options?: { afterId?: unknown, list?: unknown } }} stored
 */
async function resume(stored) {
  state.cursor = null;
  try {
    await sync();
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) {
      forgetConversation();
      await start();
      return;
    }
    // Offline for now: keep the session, the poll catches up.
    return;
  }
  // Without options in the history, the buttons saved on this device still fit the last question.
  const opts = stored.options;
  const lastBot = [...els.log.querySelectorAll('.msg[data-from="bot"]')].pop();
  if (!state.options && opts && Array.isArray(opts.list) && lastBot?.getAttribute("data-id") === opts.afterId) {
    state.options = { afterId: String(opts.afterId), list: cleanOptions(opts.list) };
    placeOptions();
  }
  scrollToEnd(false);
}

/**
 * The device last used the conversation longer ago than the office keeps idle sessions: what it
 * holds is not shown again (a shared computer's next user must not see it).
 * @param {{ lastActive?: unknown }} stored
 */
function idleTooLong(stored) {
  const last = stored.lastActive;
  return typeof last === "number" && Date.now() - last > state.limits.sessionIdleDays * DAY_MS;
}

async function init() {
  let stored = loadStore();
  const locale = LOCALES.includes(stored.locale) ? stored.locale : "id";
  const limits = loadLimits();
  try {
    await loadTexts(locale);
  } catch {
    try {
      await loadTexts("id");
    } catch {
      /* the page keeps its built-in Indonesian wording */
    }
  }
  await limits;
  applyTexts();
  const expired = typeof stored.sessionId === "string" && stored.sessionId !== "" && idleTooLong(stored);
  if (expired) {
    // Before anything is fetched or drawn: only the notice and a fresh conversation appear.
    wipeDevice();
    stored = {};
    notice(t("expired"), "info");
  }
  bindEvents();
  els.connection.hidden = false;
  els.connection.textContent = t("connecting");
  if (typeof stored.sessionId === "string" && stored.sessionId !== "") {
    state.sessionId = stored.sessionId;
    await resume(stored);
  } else {
    await start();
  }
  if (state.online) els.connection.hidden = true;
  document.body.setAttribute("data-ready", "true");
}

void init();
