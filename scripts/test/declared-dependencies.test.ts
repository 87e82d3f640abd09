import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importsOf, packageOf, typeScriptFiles } from "../lib/source-imports.js";

/**
 * Every package declares what it imports. A bare import that resolves only because another
 * package's dependency was hoisted into the root node_modules works until the lockfile moves
 * (the gateway imported ioredis that way). Runtime code may use its package's `dependencies`;
 * tests, test support, dev tooling and config files (run from the root by vitest, drizzle-kit
 * and the scripts) may also use its `devDependencies` and the root's, and the workspace
 * packages themselves. The root's own files (scripts/, deployments/test, vitest.config.ts)
 * use the root's dependencies and the workspaces.
 */

interface Manifest {
  name: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const repoRoot = path.resolve(import.meta.dirname, "../..");
const manifest = (dir: string) => JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as Manifest;
const root = manifest(repoRoot);
const workspaces = root.workspaces ?? [];
const workspaceNames = workspaces.map((w) => manifest(path.join(repoRoot, w)).name);

const names = (...records: Array<Record<string, string> | undefined>) => records.flatMap((r) => Object.keys(r ?? {}));
const runtimeOf = (m: Manifest) => [m.name, ...names(m.dependencies, m.peerDependencies, m.optionalDependencies)];
const toolingOf = (m: Manifest) => [
  ...runtimeOf(m),
  ...names(m.devDependencies),
  ...runtimeOf(root),
  ...names(root.devDependencies),
  ...workspaceNames,
];

/** Tests, contract suites, test support, dev tooling and tool configs: not loaded by a running service. */
function isTooling(relative: string): boolean {
  const segments = relative.split(path.sep);
  return (
    segments[0] === "test" ||
    segments.includes("testing") ||
    segments.includes("dev") ||
    /\.(test|contract)\.ts$/.test(relative) ||
    path.basename(relative) === "testing.ts" ||
    /^drizzle(\.[a-z]+)?\.config\.ts$/.test(relative)
  );
}

/** `file: package` for each bare import in `files` that `allowed(file)` does not list. */
function undeclared(files: string[], base: string, allowed: (relative: string) => string[]): string[] {
  return files.flatMap((file) => {
    const relative = path.relative(base, file);
    const declared = new Set(allowed(relative));
    return importsOf(readFileSync(file, "utf8"))
      .map(packageOf)
      .filter((name): name is string => name !== undefined && !declared.has(name))
      .map((name) => `${path.relative(repoRoot, file)}: ${name}`);
  });
}

describe("declared dependencies", () => {
  it("names the package a specifier resolves to", () => {
    expect(packageOf("@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb")).toBe("@checkout-saga/shared");
    expect(packageOf("drizzle-orm/postgres-js")).toBe("drizzle-orm");
    expect(packageOf("node:fs")).toBeUndefined();
    expect(packageOf("fs/promises")).toBeUndefined();
    expect(packageOf("../src/index.js")).toBeUndefined();
  });

  it.each(workspaces)("%s imports only what it declares", (workspace) => {
    const dir = path.join(repoRoot, workspace);
    const own = manifest(dir);
    const missing = undeclared(typeScriptFiles(dir), dir, (relative) =>
      isTooling(relative) ? toolingOf(own) : runtimeOf(own),
    );
    expect([...new Set(missing)]).toEqual([]);
  });

  it("the root's scripts and tests import only what the root declares", () => {
    const files = [
      ...typeScriptFiles(path.join(repoRoot, "scripts")),
      ...typeScriptFiles(path.join(repoRoot, "deployments")),
      path.join(repoRoot, "vitest.config.ts"),
    ];
    const missing = undeclared(files, repoRoot, () => [
      ...runtimeOf(root),
      ...names(root.devDependencies),
      ...workspaceNames,
    ]);
    expect([...new Set(missing)]).toEqual([]);
  });
});
