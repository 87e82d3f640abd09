import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importsOf, typeScriptFiles } from "../lib/source-imports.js";

/**
 * No package's runtime code imports itself in a circle (shared once had lifecycle → logger →
 * log-context → tracing → lifecycle): a circle makes load order decide what is defined, and
 * nothing in it can be understood or moved alone. Type-only imports count too.
 */

const repoRoot = path.resolve(import.meta.dirname, "../..");
const workspaces = (JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { workspaces: string[] })
  .workspaces;

function cyclesIn(srcDir: string): string[][] {
  const files = typeScriptFiles(srcDir).filter((f) => !f.endsWith(".test.ts"));
  const edges = new Map(
    files.map((file) => [
      file,
      importsOf(readFileSync(file, "utf8"))
        .filter((s) => s.startsWith("."))
        .map((s) => path.resolve(path.dirname(file), s.replace(/\.js$/, ".ts")))
        .filter((target) => files.includes(target)),
    ]),
  );
  const cycles: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const trail: string[] = [];
  const visit = (file: string) => {
    state.set(file, "visiting");
    trail.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === "visiting") cycles.push([...trail.slice(trail.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    trail.pop();
    state.set(file, "done");
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return cycles.map((cycle) => cycle.map((f) => path.relative(srcDir, f)));
}

describe("import cycles", () => {
  it("reads every kind of import statement", () => {
    expect(importsOf('import type { A } from "./a.js";\nexport * from "./b.js";\nawait import("./c.js");')).toEqual([
      "./a.js",
      "./b.js",
      "./c.js",
    ]);
  });

  it.each(workspaces)("%s/src has none", (workspace) => {
    expect(cyclesIn(path.join(repoRoot, workspace, "src")).map((c) => c.join(" → "))).toEqual([]);
  });
});
