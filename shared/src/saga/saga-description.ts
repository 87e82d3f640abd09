import type { SagaMachine } from "./saga-machine.js";

/**
 * The machine as a Mermaid state diagram: forward steps, the turn to compensation (before the
 * pivot, or on the codes a later step names), and the undo edge with its compensation order.
 */
export function sagaMermaid(machine: SagaMachine<string>): string {
  const lines = ["stateDiagram-v2", `  [*] --> ${machine.states[0]?.name}`];
  for (const edge of machine.edges) {
    const label =
      edge.kind === "step"
        ? `${edge.step}${edge.local ? " (local)" : edge.localWhen ? ` (local when ${edge.localWhen})` : ""}`
        : edge.kind === "fail"
          ? `${edge.step} fails${edge.onlyOn ? ` (${edge.onlyOn.join(", ")} only)` : ""}`
          : `undo: ${edge.compensations?.join(" → ") || "nothing"}`;
    lines.push(`  ${edge.from} --> ${edge.to}: ${label}`);
  }
  for (const state of machine.states) {
    if (state.kind === "completed" || state.kind === "failed") lines.push(`  ${state.name} --> [*]`);
  }
  const pivot = machine.states.find((s) => s.pivot);
  if (pivot) lines.push(`  note right of ${pivot.name}: pivot — only forward from here`);
  return lines.join("\n");
}

/** The machine as a Markdown table: one row per state, the step it runs, where that leads and its undo. */
export function sagaTable(machine: SagaMachine<string>): string {
  const rows: string[][] = [];
  for (const state of machine.states) {
    const out = machine.edges.filter((e) => e.from === state.name);
    const step = out.find((e) => e.kind === "step");
    const fail = out.find((e) => e.kind === "fail");
    const undo = out.find((e) => e.kind === "compensate");
    const name = `${state.name}${state.pivot ? " (pivot)" : ""}`;
    if (step) {
      const failure = fail
        ? `${fail.to}${fail.onlyOn ? ` (only ${fail.onlyOn.join(", ")})` : ""}`
        : "retried (past the pivot)";
      const local = step.local ? "local" : step.localWhen ? `local when ${step.localWhen}` : undefined;
      const runs = `${step.step ?? ""}${local ? ` (${local}: written in one commit with the step before)` : ""}`;
      rows.push([name, runs, step.to, failure, step.compensation ?? "—"]);
    } else if (undo) {
      const plan = undo.compensations?.join(" → ") || "nothing";
      rows.push([name, `the undos of the steps done, newest first (${plan})`, undo.to, "stays, needs attention", "—"]);
    } else {
      rows.push([name, "— (final)", "", "", ""]);
    }
  }
  return markdownTable(
    ["state", "runs", "on success", "on failure", "undo of that step, if the saga compensates later"],
    rows,
  );
}

/** A Markdown table with its columns padded, as a formatter would leave it. */
function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The machine as JSON-ready data: what the inspector page and other tools draw from. */
export function sagaDescription(machine: SagaMachine<string>) {
  return { name: machine.name, states: machine.states, edges: machine.edges };
}
