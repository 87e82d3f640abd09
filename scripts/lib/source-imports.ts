import { readdirSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";

/** The .ts files under `dir`, recursively, skipping installed and generated code. */
export function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const file = path.join(dir, entry);
    if (statSync(file).isDirectory()) {
      return ["node_modules", "gen", ".data"].includes(entry) ? [] : typeScriptFiles(file);
    }
    return entry.endsWith(".ts") ? [file] : [];
  });
}

/**
 * Every module specifier a TypeScript source imports: `import … from`, `import "…"`, `export …
 * from`, `import type`, and `import("…")` with a literal. Comments are skipped, so a specifier
 * quoted in a doc comment does not count.
 */
export function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const specifiers: string[] = [];
  const statements = /(?:^|[;\s])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]*?\s+from\s+)?["']([^"']+)["']/g;
  for (const m of code.matchAll(statements)) specifiers.push(m[1]!);
  for (const m of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) specifiers.push(m[1]!);
  return specifiers;
}

/** The package a specifier names (`@scope/name/sub` → `@scope/name`), or undefined for relative and Node imports. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("node:")) return undefined;
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
  return builtinModules.includes(name) ? undefined : name;
}
