import { h } from "./dom.js";

// The saga's state diagram: ELK lays the machine out, the page draws it as SVG, so each state
// and edge carries data attributes (visited, current, taken) that styles and tests read.

const NODE = { width: 168, height: 38 };
const LABEL_HEIGHT = 14;
const CHAR_WIDTH = 6.4;

const edgeId = (from, to) => `${from}->${to}`;

/** The states a saga went through and the edges it took, from its history (oldest first). */
export function pathOf(history, current) {
  const visited = new Set([current]);
  const taken = new Set();
  for (const t of history) {
    visited.add(t.to);
    if (t.from && t.from !== "UNSPECIFIED") {
      visited.add(t.from);
      taken.add(edgeId(t.from, t.to));
    }
  }
  return { visited, taken, current };
}

function edgeLabel(edge) {
  if (edge.kind === "step") return edge.step + (edge.local ? " (local)" : "");
  if (edge.kind === "compensate") return `undo: ${edge.compensations.join(" → ") || "nothing"}`;
  return null; // fail edges: drawn dashed, the step's name in their tooltip
}

/** Lays `machine` out and draws it, `path` highlighted; answers the SVG element. */
export async function drawSaga(machine, path) {
  const elk = new window.ELK();
  const layout = await elk.layout({
    id: machine.name,
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "DOWN",
      "elk.edgeRouting": "ORTHOGONAL",
      "elk.layered.spacing.nodeNodeBetweenLayers": "34",
      "elk.spacing.nodeNode": "36",
      "elk.spacing.edgeLabel": "4",
      "elk.edgeLabels.inline": "false",
    },
    children: machine.states.map((s) => ({ id: s.name, ...NODE })),
    edges: machine.edges.map((e) => {
      const text = edgeLabel(e);
      return {
        id: edgeId(e.from, e.to),
        sources: [e.from],
        targets: [e.to],
        labels: text ? [{ text, width: text.length * CHAR_WIDTH, height: LABEL_HEIGHT }] : [],
      };
    }),
  });
  const byId = new Map(machine.edges.map((e) => [edgeId(e.from, e.to), e]));
  const svg = h("svg:svg", {
    class: "saga-diagram",
    viewBox: `-4 -4 ${layout.width + 8} ${layout.height + 8}`,
    role: "img",
    "aria-label": `${machine.name} saga: current state ${path.current}; visited ${[...path.visited].join(", ")}`,
    "data-saga": machine.name,
  });
  svg.append(
    h(
      "svg:defs",
      {},
      h(
        "svg:marker",
        { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto" },
        h("svg:path", { d: "M0,0 L10,5 L0,10 z", class: "arrow-head" }),
      ),
    ),
  );
  for (const edge of layout.edges) {
    const e = byId.get(edge.id);
    const points = edge.sections.flatMap((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]);
    const d = points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x},${p.y}`).join(" ");
    const g = h(
      "svg:g",
      { class: "edge", "data-edge": edge.id, "data-kind": e.kind, "data-taken": path.taken.has(edge.id) },
      h("svg:title", {}, `${e.from} → ${e.to}: ${edgeLabel(e) ?? `${e.step} fails`}`),
      h("svg:path", { d, "marker-end": "url(#arrow)" }),
    );
    for (const label of edge.labels ?? []) {
      g.append(h("svg:text", { x: label.x, y: label.y + LABEL_HEIGHT - 3, class: "edge-label" }, label.text));
    }
    svg.append(g);
  }
  for (const node of layout.children) {
    const state = machine.states.find((s) => s.name === node.id);
    svg.append(
      h(
        "svg:g",
        {
          class: "state",
          "data-state": node.id,
          "data-kind": state.kind,
          "data-visited": path.visited.has(node.id),
          "data-current": path.current === node.id,
          transform: `translate(${node.x},${node.y})`,
        },
        h("svg:rect", { width: node.width, height: node.height, rx: 8 }),
        h(
          "svg:text",
          { x: node.width / 2, y: node.height / 2 + 4, "text-anchor": "middle" },
          state.pivot ? `${node.id} ◆` : node.id,
        ),
      ),
    );
  }
  return svg;
}
