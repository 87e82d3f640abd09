/**
 * Rules beyond what the standard validator (openapi-validator.test.ts) checks: unique
 * operation ids, every $ref resolving to the kind of object it names, security schemes used.
 */
import { describe, expect, it } from "vitest";
import type { Json } from "./fixture.js";
import { startTestGateway } from "./fixture.js";

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

/** Every `$ref` anywhere in the document, with where it was found. */
function refs(node: unknown, at = "#"): Array<{ ref: string; at: string }> {
  if (Array.isArray(node)) return node.flatMap((v, i) => refs(v, `${at}/${i}`));
  if (typeof node !== "object" || node === null) return [];
  return Object.entries(node).flatMap(([k, v]) =>
    k === "$ref" && typeof v === "string" ? [{ ref: v, at }] : refs(v, `${at}/${k}`),
  );
}

/** Resolves a local JSON pointer (RFC 6901). */
function resolve(doc: Json, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

describe("the served OpenAPI document (structural validation)", async () => {
  const res = await startTestGateway().app.request("/openapi.json");
  const doc = (await res.json()) as Json;
  const ops = Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => ({ path, method, op: op as Json })),
  );

  it("declares openapi 3.1.x, info.title and info.version, and paths", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(typeof doc.info?.title).toBe("string");
    expect(typeof doc.info?.version).toBe("string");
    expect(typeof doc.paths).toBe("object");
    expect(ops.length).toBeGreaterThan(0);
  });

  it("has paths starting with / whose templates match their path parameters", () => {
    for (const { path, method, op } of ops) {
      expect(path.startsWith("/"), path).toBe(true);
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = ((op.parameters ?? []) as Json[])
        .filter((p) => p.in === "path")
        .map((p) => p.name)
        .sort();
      expect(declared, `${method} ${path}`).toEqual(templated);
      for (const p of (op.parameters ?? []) as Json[]) {
        expect(["query", "header", "path", "cookie"], `${method} ${path} ${p.name}`).toContain(p.in);
        if (p.in === "path") expect(p.required, `${method} ${path} ${p.name}`).toBe(true);
        expect(p.schema ?? p.content, `${method} ${path} ${p.name}`).toBeDefined();
      }
    }
  });

  it("resolves every $ref", () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(0);
    for (const { ref, at } of all) expect(resolve(doc, ref), `${ref} at ${at}`).toBeDefined();
  });

  it("gives every operation a unique operationId and at least one response with a description", () => {
    const ids = ops.map((o) => o.op.operationId);
    for (const [i, id] of ids.entries()) expect(typeof id, `${ops[i]?.method} ${ops[i]?.path}`).toBe("string");
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, op } of ops) {
      const responses = Object.entries((op.responses ?? {}) as Record<string, Json>);
      expect(responses.length, `${method} ${path}`).toBeGreaterThan(0);
      for (const [status, response] of responses) {
        expect(status, `${method} ${path}`).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
        expect(typeof response.description, `${method} ${path} ${status}`).toBe("string");
      }
    }
  });

  it("refers only to security schemes it defines", () => {
    const schemes = doc.components?.securitySchemes ?? {};
    const used = ops.flatMap(({ op }) => ((op.security ?? doc.security ?? []) as Json[]).flatMap(Object.keys));
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(schemes[name], name).toBeDefined();
    for (const scheme of Object.values(schemes) as Json[]) {
      expect(["apiKey", "http", "mutualTLS", "oauth2", "openIdConnect"]).toContain(scheme.type);
    }
  });

  it("uses JSON Schema patterns that compile as ECMA-262 regular expressions", () => {
    const patterns: string[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (typeof node !== "object" || node === null) return;
      for (const [k, v] of Object.entries(node)) {
        if (k === "pattern" && typeof v === "string") patterns.push(v);
        else walk(v);
      }
    };
    walk(doc);
    expect(patterns.length).toBeGreaterThan(0);
    for (const p of patterns) expect(() => new RegExp(p), p).not.toThrow();
  });
});
