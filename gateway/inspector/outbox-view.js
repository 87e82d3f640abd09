import { api } from "./api.js";
import { duration, h, renderIfChanged, time } from "./dom.js";

// Both outboxes at a glance (what waits, how long, how fast rows leave) and the dead letters.

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
      refreshNow();
    }
  });
  root.replaceChildren(
    h("h2", { tabindex: -1 }, "Outbox"),
    cards,
    h("div", { class: "section-head" }, h("h3", {}, "Dead letters"), republish),
    h(
      "p",
      { class: "muted" },
      "Events a consumer gave up on. Fix the cause, then republish them; on Kafka, ",
      h("code", {}, "npm run outbox -- dead-letters republish"),
      " does the same from a shell.",
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
    const [outboxes, dead] = await Promise.all([api("/admin/outbox"), api("/admin/dead-letters")]);
    renderIfChanged(cards, JSON.stringify(outboxes), () => outboxes.outboxes.map(outboxCard));
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
