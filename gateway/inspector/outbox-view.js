import { api } from "./api.js";
import { duration, h, renderIfChanged, time } from "./dom.js";

// Both outboxes at a glance (what waits, how long, how fast rows leave) and the dead letters.
// The outboxes are polled; the dead letters are not: listing them reads the whole dead-letter
// topic (a throwaway consumer group on Kafka), so they are loaded when the view opens, after a
// Republish, and when the operator asks ("Refresh dead letters").

function outboxCard(o) {
  if (o.error) {
    return h(
      "article",
      { class: "card bad", "data-outbox": o.service },
      h("h3", {}, o.service),
      h("p", {}, `Not answering: ${o.error}`),
    );
  }
  const waiting = o.oldest_pending_age_seconds ?? 0;
  const tone = o.pending === 0 ? "ok" : waiting > 60 ? "bad" : "warn";
  return h(
    "article",
    { class: `card ${tone}`, "data-outbox": o.service },
    h("h3", {}, o.service, " ", h("span", { class: "muted" }, `→ ${o.topic}`)),
    h(
      "dl",
      { class: "figures" },
      h("dt", {}, "Pending"),
      h("dd", {}, String(o.pending)),
      h("dt", {}, "Oldest pending"),
      h("dd", {}, o.oldest_pending_at ? duration(waiting * 1000) : "—"),
      h("dt", {}, "Published, last minute"),
      h("dd", {}, String(o.published_last_minute)),
      h("dt", {}, "Published, last 5 minutes"),
      h("dd", {}, String(o.published_last_5_minutes)),
      h("dt", {}, "Last published"),
      h("dd", {}, o.last_published_id ? `#${o.last_published_id} at ${time(o.last_published_at)}` : "—"),
    ),
  );
}

/** Builds the outbox view in `root`; answers its refresh. */
export function outboxView(root, { confirm, refreshNow }) {
  const cards = h("div", { class: "cards" });
  const letters = h("tbody");
  const message = h("p", { class: "message", role: "status" });
  const republish = h("button", { type: "button", class: "quiet", id: "republish-dead-letters" }, "Republish");
  const reload = h("button", { type: "button", class: "quiet", id: "refresh-dead-letters" }, "Refresh dead letters");
  /** Whether the next refresh loads the dead letters too: on opening, then only when asked. */
  let lettersDue = true;
  reload.addEventListener("click", async () => {
    reload.disabled = true;
    lettersDue = true;
    try {
      await refreshNow();
    } finally {
      reload.disabled = false;
      reload.focus();
    }
  });
  republish.addEventListener("click", async () => {
    const ok = await confirm(
      "Republish the dead letters?",
      "Every pending dead letter goes back with its event id, once you have fixed what made it fail; groups that handled it already skip it, and one that fails again is parked again. Undecodable ones are skipped. The republish is logged with your name.",
      "Republish",
    );
    if (!ok) return republish.focus();
    republish.disabled = true;
    try {
      const { republished, skipped } = await api("/admin/dead-letters/republish", { method: "POST" });
      message.textContent =
        `Republished ${republished.length} dead letter(s)` +
        (skipped.length ? `; skipped ${skipped.length} undecodable.` : ".");
    } catch (error) {
      message.textContent = `Republish refused: ${error.message}`;
    } finally {
      republish.disabled = false;
      republish.focus();
      lettersDue = true;
      refreshNow();
    }
  });
  root.replaceChildren(
    h("h2", { tabindex: -1 }, "Outbox"),
    cards,
    h("div", { class: "section-head" }, h("h3", {}, "Dead letters"), h("div", {}, reload, " ", republish)),
    h(
      "p",
      { class: "muted" },
      "Events a consumer gave up on. Fix the cause, then republish them; on Kafka, ",
      h("code", {}, "npm run outbox -- dead-letters republish"),
      " does the same from a shell. Listed when this view opens and after a republish, not live: refresh them to read them again.",
    ),
    message,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "dead-letters" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["Event", "Consumer group", "Error", "Attempts", "Parked"].map((c) => h("th", { scope: "col" }, c)),
          ),
        ),
        letters,
      ),
    ),
  );
  return async () => {
    const withLetters = lettersDue;
    lettersDue = false;
    const [outboxes, dead] = await Promise.all([
      api("/admin/outbox"),
      withLetters ? api("/admin/dead-letters") : null,
    ]).catch((error) => {
      // Not loaded: the next refresh tries again.
      if (withLetters) lettersDue = true;
      throw error;
    });
    renderIfChanged(cards, JSON.stringify(outboxes), () => outboxes.outboxes.map(outboxCard));
    if (!dead) return;
    republish.hidden = dead.total === 0;
    renderIfChanged(letters, JSON.stringify(dead), () =>
      dead.items.length === 0
        ? h("tr", {}, h("td", { colspan: 5, class: "empty" }, "No dead letters."))
        : dead.items.map((d) =>
            h(
              "tr",
              { "data-event-id": d.event_id ?? "" },
              h("td", {}, `${d.event_type ?? "?"} `, h("code", {}, d.event_id ?? d.key)),
              h("td", {}, d.consumer_group),
              h("td", {}, d.error),
              h("td", { class: "num" }, String(d.attempts)),
              h("td", {}, time(d.parked_at)),
            ),
          ),
    );
  };
}
