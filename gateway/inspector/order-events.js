import { api } from "./api.js";
import { h, renderIfChanged } from "./dom.js";
import { eventRow, eventsTable, noEventsRow } from "./outbox-events.js";

// A cancellation's events: the orders service's outbox rows for its order (the cancellation's
// OrderCancelled and the order's status changes), published or waiting for the relay.

/** The section for a cancellation: its element, and its refresh. */
export function orderEventsSection() {
  const rows = h("tbody");
  const element = h(
    "section",
    { "aria-labelledby": "order-events-title" },
    h("div", { class: "section-head" }, h("h3", { id: "order-events-title" }, "The order's outbox events")),
    eventsTable(rows),
  );
  const refresh = async (cancellation) => {
    const { items } = await api(`/admin/orders/${encodeURIComponent(cancellation.order_id)}/events`);
    renderIfChanged(rows, JSON.stringify(items), () =>
      items.length === 0
        ? noEventsRow(4, "None yet: OrderCancelled is written when the cancellation completes.")
        : items.map((e) => eventRow(e)),
    );
  };
  return { element, refresh };
}
