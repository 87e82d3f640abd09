import { api } from "./api.js";
import { h, renderIfChanged, time } from "./dom.js";
import { eventRow, eventsTable, noEventsRow } from "./outbox-events.js";

// A checkout's events in the outbox: published or waiting for the relay, whether the orders
// service consumed them (the order a CheckoutCompleted creates) and the cart service did (the
// checkout's claim on the cart settled or released), and sending them again (same event ids, so
// the orders and cart consumers dedupe them).

/** The section for checkout `id`: its element, and its refresh. */
export function checkoutEventsSection({ id, confirm, refreshNow }) {
  const rows = h("tbody");
  const message = h("p", { class: "message", role: "status" });
  const replay = h("button", { type: "button", class: "quiet", id: "replay-events" }, "Replay events");
  replay.addEventListener("click", async () => {
    const ok = await confirm(
      "Replay this checkout's events?",
      "Its published events go out again with the same event ids; the orders and cart services skip what they already did. The replay is logged with your name.",
      "Replay",
    );
    if (!ok) return replay.focus();
    replay.disabled = true;
    try {
      const { items } = await api(`/admin/checkouts/${encodeURIComponent(id)}/events/replay`, { method: "POST" });
      message.textContent = items.length
        ? `Requeued ${items.map((e) => e.event_type).join(", ")} for the relay.`
        : "Nothing to replay: no event was published yet.";
    } catch (error) {
      message.textContent = `Replay refused: ${error.message}`;
    } finally {
      replay.disabled = false;
      replay.focus();
      refreshNow();
    }
  });
  const element = h(
    "section",
    { "aria-labelledby": "events-title" },
    h("div", { class: "section-head" }, h("h3", { id: "events-title" }, "Outbox events"), replay),
    message,
    eventsTable(rows, ["Orders", "Cart"]),
  );
  const refresh = async (checkout) => {
    const [{ items }, order, claim] = await Promise.all([
      api(`/admin/checkouts/${encodeURIComponent(id)}/events`),
      checkout.status === "COMPLETED" ? orderOf(checkout) : null,
      claimOf(checkout),
    ]);
    renderIfChanged(rows, JSON.stringify([items, order, claim]), () =>
      items.length === 0
        ? noEventsRow(6, "None yet: an event is written when the checkout ends.")
        : items.map((e) =>
            eventRow(
              e,
              h(
                "td",
                { "data-consumed": e.event_type === "CheckoutCompleted" && order !== null },
                consumption(e, order),
              ),
              cartCell(e, claim),
            ),
          ),
    );
  };
  return { element, refresh };
}

/** The order the orders service created from this checkout's CheckoutCompleted, or null while none. */
async function orderOf(checkout) {
  const query = new URLSearchParams({ user_id: checkout.user_id, checkout_id: checkout.checkout_id, limit: "1" });
  const { items } = await api(`/admin/orders?${query}`);
  return items[0] ?? null;
}

function consumption(event, order) {
  if (event.event_type !== "CheckoutCompleted") return h("span", { class: "muted" }, "nothing to do");
  if (!order) return h("span", { class: "badge warn" }, "no order yet");
  return [h("span", { class: "badge ok" }, "consumed"), " order ", h("code", {}, order.id), ` ${order.status}`];
}

/** What the cart service did with the checkout's claim on the user's cart (UNKNOWN: it has no record). */
function claimOf(checkout) {
  return api(`/admin/carts/${encodeURIComponent(checkout.user_id)}/claims/${encodeURIComponent(checkout.checkout_id)}`);
}

/** The claim state each event the cart consumes leaves behind. */
const CART_OUTCOME = { CheckoutCompleted: "SETTLED", CheckoutFailed: "RELEASED" };

function cartCell(event, claim) {
  const expected = CART_OUTCOME[event.event_type];
  if (!expected) return h("td", {}, h("span", { class: "muted" }, "nothing to do"));
  const label = {
    SETTLED: `settled at ${time(claim.changed_at)}`,
    RELEASED: `released at ${time(claim.changed_at)}`,
    HELD: "still held",
    UNKNOWN: "no record",
  }[claim.state];
  // Released before a completion, or settled before a failure, is a finding too: not "ok".
  const badge = claim.state === expected ? "badge ok" : "badge warn";
  return h("td", { "data-cart": claim.state }, h("span", { class: badge }, label));
}
