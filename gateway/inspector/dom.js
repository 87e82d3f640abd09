// A small element builder: the page's views are plain DOM, no framework.

/** h("a", { href: "#" }, "text", child): attributes starting with "on" become listeners; null children are skipped. */
export function h(tag, attrs = {}, ...children) {
  const el = tag.startsWith("svg:")
    ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4))
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replaces `el`'s children only when `key` changed: polling keeps focus and scroll where they were. */
export function renderIfChanged(el, key, build) {
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  el.replaceChildren(...[build()].flat().filter((child) => child !== null && child !== undefined));
}

/** "3.2 s", "4 min 10 s", "2 h 5 min": a duration an operator reads at a glance. */
export function duration(ms) {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

export const time = (iso) => (iso ? new Date(iso).toLocaleString() : "—");

export const money = (m) =>
  m
    ? new Intl.NumberFormat(undefined, { style: "currency", currency: m.currency }).format(
        m.amount_minor / 10 ** minorDigits(m.currency),
      )
    : "—";

const minorDigits = (currency) =>
  new Intl.NumberFormat(undefined, { style: "currency", currency }).resolvedOptions().maximumFractionDigits;

/** The state as a badge whose colour says how it went. */
export function stateBadge(state) {
  const tone = state === "COMPLETED" ? "ok" : state === "FAILED" ? "bad" : state === "COMPENSATING" ? "warn" : "busy";
  return h("span", { class: `badge ${tone}` }, state);
}
