// Kanal Aduan — the public tracking page: ticket + tracking code → GET /api/track. Plain DOM, no
// framework; every text comes from /lacak/texts/<locale> and every value is set as textContent.

const $ = (id) => document.getElementById(id);
const state = { locale: "id", texts: {}, last: undefined };

function t(key, vars = {}) {
  const template = state.texts[key] ?? key;
  return template.replace(/\{([A-Za-z]+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

async function loadTexts(locale) {
  const response = await fetch(`/lacak/texts/${locale}`);
  state.texts = await response.json();
  state.locale = locale;
  document.documentElement.lang = locale;
  document.title = t("page.title");
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.getAttribute("data-t"));
  $("lang-toggle").lang = locale === "id" ? "en" : "id";
}

function formatDate(iso) {
  return new Intl.DateTimeFormat(state.locale === "id" ? "id-ID" : "en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = false;
  $("result").hidden = true;
}

function item(at, text, asParagraph) {
  const li = document.createElement("li");
  const when = document.createElement("time");
  when.className = "when";
  when.dateTime = at;
  when.textContent = formatDate(at);
  const body = document.createElement(asParagraph ? "p" : "span");
  body.textContent = text;
  li.append(when, body);
  return li;
}

function show(data) {
  $("error").hidden = true;
  $("result-title").textContent = t("result.title", { ticket: data.ticket });
  $("kind").textContent = t(`kind.${data.kind}`);
  $("category").textContent = data.category ?? "-";
  $("status").textContent = t(`status.${data.status}`);
  $("step").textContent = data.stepLabel;
  $("due").textContent = data.dueAt ? formatDate(data.dueAt) : "-";
  $("events").replaceChildren(...data.events.map((e) => item(e.at, e.label, false)));
  $("replies").replaceChildren(...data.replies.map((r) => item(r.at, r.text, true)));
  $("no-replies").hidden = data.replies.length > 0;
  $("result").hidden = false;
}

async function track(ticket, code) {
  const query = new URLSearchParams({ ticket, code, locale: state.locale });
  $("submit").disabled = true;
  try {
    const response = await fetch(`/api/track?${query}`, { headers: { accept: "application/json" } });
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      state.last = { ticket, code };
      show(body);
    } else if (response.status === 404) {
      showError(body.error ?? t("error.notFound"));
    } else if (response.status === 429) {
      showError(body.error ?? t("error.tooMany"));
    } else {
      showError(t("error.invalid"));
    }
  } catch {
    showError(t("error.network"));
  } finally {
    $("submit").disabled = false;
  }
}

$("track-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const ticket = $("ticket").value.trim().toUpperCase();
  const code = $("code").value.replace(/[\s-]/g, "").toUpperCase();
  if (!ticket || !code) return showError(t("error.missing"));
  return track(ticket, code);
});

$("lang-toggle").addEventListener("click", async () => {
  await loadTexts(state.locale === "id" ? "en" : "id");
  // The labels of the history come from the server in the page's language.
  if (state.last) await track(state.last.ticket, state.last.code);
});

const params = new URLSearchParams(location.search);
const wanted = params.get("lang") === "en" || (!params.get("lang") && navigator.language?.startsWith("en")) ? "en" : "id";
await loadTexts(wanted);
if (params.get("ticket")) {
  $("ticket").value = params.get("ticket").slice(0, 40);
  $("code").focus();
} else {
  $("ticket").focus();
}
