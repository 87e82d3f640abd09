import { api, sagaMachine } from "./api.js";
import { checkoutEventsSection } from "./checkout-events.js";
import { drawSaga, pathOf } from "./diagram.js";
import { duration, h, money, renderIfChanged, stateBadge, time } from "./dom.js";
import { orderEventsSection } from "./order-events.js";

// One saga: its diagram with the path it took, what it touched, its history and the retry
// action. Checkouts and cancellations share the view; each says how it loads and what it shows.

const FINAL = new Set(["COMPLETED", "FAILED"]);

/** Time spent in each state: until the next transition, or until now for the state it is in. */
function historyRows(history, status) {
  return history.map((t, i) => {
    const next = history[i + 1];
    const end = next ? Date.parse(next.at) : FINAL.has(status) ? null : Date.now();
    return h(
      "tr",
      { "data-to": t.to },
      h("td", {}, t.from && t.from !== "UNSPECIFIED" ? `${t.from} → ` : "", h("strong", {}, t.to)),
      h("td", {}, t.reason || "—"),
      h("td", {}, time(t.at)),
      h("td", { class: "num" }, end === null ? "final" : duration(end - Date.parse(t.at))),
    );
  });
}

function sagaDetail(root, { kind, id, confirm, refreshNow }, saga) {
  // What this kind of saga shows besides its diagram, records and history.
  const sections = (saga.sections ?? []).map((section) => section({ id, confirm, refreshNow }));
  const heading = h("h2", { tabindex: -1 }, `${saga.title} `, h("code", {}, id));
  const summary = h("div", { class: "summary" });
  const diagram = h("figure", { class: "diagram" }, h("p", { class: "muted" }, "Drawing the saga…"));
  const facts = h("dl", { class: "facts" });
  const history = h("tbody");
  const message = h("p", { class: "message", role: "status" });
  const retry = h("button", { type: "button", id: "retry", hidden: true }, "Retry now");
  retry.addEventListener("click", async () => {
    const ok = await confirm(
      `Retry this ${saga.noun}?`,
      `Drives ${saga.noun} ${id} now, as recovery would on its next pass. The retry is logged with your name.`,
      "Retry",
    );
    if (!ok) return retry.focus();
    retry.disabled = true;
    try {
      const after = await api(`${saga.path}/${encodeURIComponent(id)}/retry`, { method: "POST" });
      message.textContent = `Retried: now ${after.status}${after.needs_attention ? ", still needs attention" : ""}.`;
    } catch (error) {
      message.textContent = `Retry refused: ${error.message}`;
    } finally {
      retry.disabled = false;
      retry.focus();
      refreshNow();
    }
  });
  root.replaceChildren(
    h("p", {}, h("a", { href: `#/${kind}` }, `← All ${kind}`)),
    heading,
    summary,
    h("div", { class: "actions" }, retry),
    message,
    h(
      "div",
      { class: "detail" },
      diagram,
      h("section", { "aria-label": "What it touched" }, h("h3", {}, "Records"), facts),
    ),
    h("h3", {}, "History"),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "history" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["Transition", "Reason", "At", "Time in state"].map((c) => h("th", { scope: "col" }, c)),
          ),
        ),
        history,
      ),
    ),
    ...sections.map((section) => section.element),
  );

  return async () => {
    const [machine, x] = await Promise.all([sagaMachine(saga.machine), saga.load(id)]);
    const steps = x.history ?? [];
    renderIfChanged(summary, `${x.status}|${x.needs_attention}`, () => [
      stateBadge(x.status),
      x.needs_attention ? h("span", { class: "badge warn attention" }, "needs attention") : null,
      x.failure_reason ? h("span", { class: "muted" }, ` failed: ${x.failure_reason}`) : null,
    ]);
    retry.hidden = FINAL.has(x.status);
    const path = pathOf(steps, x.status);
    const pathKey = `${x.status}|${[...path.taken].join()}`;
    if (diagram.dataset.key !== pathKey) {
      diagram.dataset.key = pathKey;
      diagram.replaceChildren(
        await drawSaga(machine, path),
        h("figcaption", {}, "Bold: the path this saga took. Outlined: where it is now. Dashed: a step's failure."),
      );
    }
    renderIfChanged(facts, JSON.stringify(saga.facts(x)), () =>
      saga.facts(x).flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value || "—")]),
    );
    await Promise.all(sections.map((section) => section.refresh(x)));
    // Time in the current state grows while it waits: re-rendered each poll.
    history.replaceChildren(
      ...(steps.length
        ? historyRows(steps, x.status)
        : [h("tr", {}, h("td", { colspan: 4, class: "empty" }, "No transitions yet."))]),
    );
  };
}

export function checkoutView(root, context) {
  return sagaDetail(root, context, {
    title: "Checkout",
    noun: "checkout",
    machine: "checkout",
    path: "/admin/checkouts",
    load: (id) => api(`/admin/checkouts/${encodeURIComponent(id)}`),
    sections: [checkoutEventsSection],
    facts: (x) => [
      ["User", x.user_id],
      ["Reservation", x.reservation_id],
      ["Payment", x.payment_id],
      ["Points redeemed", x.totals?.points_redeemed?.amount_minor ? money(x.totals.points_redeemed) : ""],
      ["Total", money(x.total)],
      ["Decline code", x.decline_code],
      ["Failure", x.failure_detail],
      ["Started", time(x.created_at)],
    ],
  });
}

export function cancellationView(root, context) {
  return sagaDetail(root, context, {
    title: "Cancellation",
    noun: "cancellation",
    machine: "cancellation",
    path: "/admin/cancellations",
    load: (id) => api(`/admin/cancellations/${encodeURIComponent(id)}`),
    sections: [orderEventsSection],
    facts: (x) => [
      ["User", x.user_id],
      ["Order", x.order_id],
      ["Refund", money(x.refund)],
      ["Points returned", String(x.points_returned)],
      ["Failure", x.failure_reason],
      ["Requested", time(x.created_at)],
    ],
  });
}
