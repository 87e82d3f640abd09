import { h, time } from "./dom.js";

// What every outbox event table shows: the event, when it was written and whether the relay
// published it; a table adds its own columns (who consumed it) after these.

const EVENT_COLUMNS = ["Event", "Event id", "Written", "Published"];

/** The table for `rows` (a tbody), headed by the event columns and then `extraColumns`. */
export function eventsTable(rows, extraColumns = []) {
  const head = h(
    "tr",
    {},
    [...EVENT_COLUMNS, ...extraColumns].map((c) => h("th", { scope: "col" }, c)),
  );
  return h("div", { class: "table-wrap" }, h("table", { class: "events" }, h("thead", {}, head), rows));
}

/** The row of event `e`: its own cells, then `extraCells`. */
export function eventRow(e, ...extraCells) {
  return h(
    "tr",
    { "data-event": e.event_type, "data-published": e.published_at !== null },
    h("td", {}, e.event_type),
    h("td", {}, h("code", {}, e.event_id)),
    h("td", {}, time(e.created_at)),
    h(
      "td",
      {},
      e.published_at
        ? h("span", { class: "badge ok" }, `published ${time(e.published_at)}`)
        : h("span", { class: "badge warn" }, "pending"),
    ),
    ...extraCells,
  );
}

/** The one row of an empty table of `columns` columns. */
export const noEventsRow = (columns, text) => h("tr", {}, h("td", { colspan: columns, class: "empty" }, text));
