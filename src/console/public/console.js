// Staff console: progressive enhancement only. Every page works without this file.

/**
 * Live updates (pages marked data-live): the server tells of new complaints and citizens' messages
 * over server-sent events; the tab's title counts them, and the inbox redraws its list in place
 * (the same page fetched again, so filters and paging stay as they are).
 */
function live() {
  if (document.body.dataset.live !== "1" || typeof EventSource === "undefined") return;
  const baseTitle = document.title;
  let count = 0;
  let refreshing = false;
  const source = new EventSource("/staff/events");

  async function refreshInbox() {
    const list = document.getElementById("inbox-list");
    if (!list || refreshing) return;
    refreshing = true;
    try {
      // Marked as background: a page left open does not keep its session alive by itself.
      const response = await fetch(window.location.href, { headers: { "x-kanal-background": "1" }, credentials: "same-origin" });
      if (!response.ok) return;
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = doc.getElementById("inbox-list");
      if (fresh) list.replaceWith(fresh);
    } catch {
      // Offline for a moment: the next update tries again.
    } finally {
      refreshing = false;
    }
  }

  source.addEventListener("update", (event) => {
    let update;
    try {
      update = JSON.parse(event.data);
    } catch {
      return;
    }
    count += (update.complaints || 0) + (update.messages || 0);
    document.title = count > 0 ? `(${count}) ${baseTitle}` : baseTitle;
    document.body.dataset.liveCount = String(count);
    void refreshInbox();
  });

  // Seen: the count starts again when the person comes back to the tab.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && count > 0 && document.hasFocus()) {
      count = 0;
      document.title = baseTitle;
    }
  });
  window.addEventListener("pagehide", () => source.close());
}

live();
