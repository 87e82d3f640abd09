import { api, sagaMachine } from "./api.js";
import { h, money, renderIfChanged, stateBadge, time } from "./dom.js";

// The list of checkouts or cancellations: filters and paging live in the hash, so Back works
// and a link can be shared; the rows refresh in place.

const SAGAS = {
  checkouts: {
    machine: "checkout",
    title: "Checkouts",
    path: "/admin/checkouts",
    id: (x) => x.checkout_id,
    columns: ["Checkout", "User", "State", "Total", "Updated"],
    cells: (x) => [x.user_id, stateBadge(x.status), money(x.total), time(x.updated_at)],
  },
  cancellations: {
    machine: "cancellation",
    title: "Cancellations",
    path: "/admin/cancellations",
    id: (x) => x.cancellation_id,
    columns: ["Cancellation", "User", "State", "Refund", "Created"],
    cells: (x) => [x.user_id, stateBadge(x.status), money(x.refund), time(x.created_at)],
  },
};

const FILTERS = ["status", "user_id", "needs_attention"];

/** Builds the list view in `root`; answers its refresh. */
export function sagaListView(root, { kind, params }) {
  const saga = SAGAS[kind];
  const query = new URLSearchParams();
  for (const name of [...FILTERS, "page_token"]) if (params.get(name)) query.set(name, params.get(name));
  query.set("limit", "20");

  const stateSelect = h("select", { id: "filter-state", name: "status" }, h("option", { value: "" }, "any state"));
  sagaMachine(saga.machine).then((machine) => {
    for (const s of machine.states) {
      stateSelect.append(h("option", { value: s.name, selected: params.get("status") === s.name }, s.name));
    }
  });
  const filters = h(
    "form",
    { class: "filters", "aria-label": `Filter ${saga.title.toLowerCase()}`, onsubmit: (e) => applyFilters(e, kind) },
    h("div", {}, h("label", { for: "filter-state" }, "State"), stateSelect),
    h(
      "div",
      {},
      h("label", { for: "filter-user" }, "User"),
      h("input", { id: "filter-user", name: "user_id", value: params.get("user_id") ?? "", placeholder: "any user" }),
    ),
    h(
      "div",
      { class: "check" },
      h("input", {
        type: "checkbox",
        id: "filter-attention",
        name: "needs_attention",
        value: "true",
        checked: params.get("needs_attention") === "true",
      }),
      h("label", { for: "filter-attention" }, "Needs attention only"),
    ),
    h("button", { type: "submit" }, "Apply"),
  );
  const rows = h("tbody");
  const pager = h("nav", { class: "pager", "aria-label": "Pages" });
  root.replaceChildren(
    h("h2", { tabindex: -1 }, saga.title),
    filters,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "sagas", "data-list": kind },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            saga.columns.map((c) => h("th", { scope: "col" }, c)),
          ),
        ),
        rows,
      ),
    ),
    pager,
  );

  return async () => {
    const page = await api(`${saga.path}?${query}`);
    renderIfChanged(rows, JSON.stringify(page.items), () =>
      page.items.length === 0
        ? h("tr", {}, h("td", { colspan: saga.columns.length, class: "empty" }, "Nothing matches these filters."))
        : page.items.map((x) =>
            h(
              "tr",
              { "data-id": saga.id(x), "data-attention": x.needs_attention },
              h(
                "th",
                { scope: "row" },
                h("a", { href: `#/${kind}/${encodeURIComponent(saga.id(x))}` }, h("code", {}, saga.id(x))),
                x.needs_attention ? h("span", { class: "badge warn attention" }, "needs attention") : null,
              ),
              saga.cells(x).map((c) => h("td", {}, c)),
            ),
          ),
    );
    renderIfChanged(pager, `${params.get("page_token")}|${page.next_page_token}`, () => [
      params.get("page_token") ? h("a", { href: pageHref(kind, params, null) }, "← First page") : null,
      page.next_page_token ? h("a", { href: pageHref(kind, params, page.next_page_token) }, "Next page →") : null,
    ]);
  };
}

function pageHref(kind, params, pageToken) {
  const next = new URLSearchParams(params);
  if (pageToken) next.set("page_token", pageToken);
  else next.delete("page_token");
  return `#/${kind}?${next}`;
}

function applyFilters(event, kind) {
  event.preventDefault();
  const form = new FormData(event.target);
  const next = new URLSearchParams();
  for (const name of FILTERS) {
    const value = String(form.get(name) ?? "").trim();
    if (value) next.set(name, value);
  }
  location.hash = `#/${kind}?${next}`;
}
