/**
 * A generated corpus of malformed requests against every route that takes input: wrong types,
 * huge and negative numbers, odd unicode, missing and duplicated headers, broken JSON, wrong
 * content types, oversized bodies. Each must be refused with a documented 4xx problem+json,
 * and none may reach a service call that writes (the fakes record every one).
 */
import { describe, expect, it } from "vitest";
import { issueToken } from "../src/auth/tokens.js";
import { CHECKOUT_BODY, type Json, SECRET, startTestGateway } from "./fixture.js";

interface Case {
  name: string;
  method: string;
  /** The documented path template, to find the operation. */
  template: string;
  url: string;
  headers: Array<[string, string]>;
  body?: string;
}

/** Routes with a valid request each; the corpus breaks one thing at a time. */
const routes: Array<{ method: string; template: string; path: string; body?: Json; headers?: Record<string, string> }> =
  [
    { method: "POST", template: "/api/v1/dev/token", path: "/api/v1/dev/token", body: { user_id: "alice" } },
    { method: "GET", template: "/api/v1/products", path: "/api/v1/products" },
    { method: "GET", template: "/api/v1/products/{id}", path: "/api/v1/products/1" },
    { method: "GET", template: "/api/v1/cart", path: "/api/v1/cart" },
    { method: "DELETE", template: "/api/v1/cart", path: "/api/v1/cart" },
    {
      method: "POST",
      template: "/api/v1/cart/items",
      path: "/api/v1/cart/items",
      body: { product_id: "2", quantity: 2 },
    },
    {
      method: "PUT",
      template: "/api/v1/cart/items/{product_id}",
      path: "/api/v1/cart/items/2",
      body: { quantity: 3 },
    },
    { method: "DELETE", template: "/api/v1/cart/items/{product_id}", path: "/api/v1/cart/items/2" },
    {
      method: "POST",
      template: "/api/v1/checkout",
      path: "/api/v1/checkout",
      body: CHECKOUT_BODY,
      headers: { "Idempotency-Key": "hostile-1" },
    },
    { method: "GET", template: "/api/v1/checkout/{id}", path: "/api/v1/checkout/co-1" },
    { method: "GET", template: "/api/v1/orders", path: "/api/v1/orders" },
    { method: "GET", template: "/api/v1/orders/{id}", path: "/api/v1/orders/o-alice" },
  ];

const TEN_KB = "x".repeat(10 * 1024);
/** Values no string field accepts. */
const badStrings: unknown[] = [
  1,
  -1,
  true,
  null,
  [],
  {},
  "",
  "a\u0000b",
  "\u202eevil\u202c",
  "\u2066isolate",
  "\ud800",
  "x\udc00y",
  "\u0007bell",
  TEN_KB,
];
/** Values no quantity accepts. */
const badNumbers: unknown[] = ["2", true, null, [], {}, 0, -1, -0.5, 100, 1.5, 1e308, -1e308, 2 ** 53 + 2, 99.0001];
/** Bodies that are JSON but not an object. */
const notObjects = ["[]", '"a"', "1", "null", "true", `${"[".repeat(5000)}${"]".repeat(5000)}`];
const brokenJson = ['{"a":', "{'a': 1}", '{"a": 1,}', '{"a": 1}{', "\ufeff{}", '{"a": "\\ud800"', "NaN", "{]"];
const badContentTypes = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/jsonx",
  "application/json, application/json",
  "json",
];
const badIds = ["%00", "%E2%80%AE1", "%ED%A0%80", "%", "a%20b", "..%2F..%2Fetc", "%C0%AE", "x".repeat(200), "1;drop"];
const badQueries = [
  "limit=0",
  "limit=101",
  "limit=-1",
  "limit=1e2",
  "limit=99999999999999999999",
  "limit=",
  "limit=%201",
  "limit=0x10",
  "limit=1&limit=2",
  "unknown=1",
  "page_token=",
  `page_token=${TEN_KB}`,
  "page_token=%00",
  "page_token=%E2%80%AE",
];

/** Every leaf of a JSON value, by path. */
function leaves(value: Json, path: string[] = []): Array<{ path: string[]; value: unknown }> {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  }
  return [{ path, value }];
}

/** Every object in a JSON value (the root included), by path. */
function objects(value: Json, path: string[] = []): string[][] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [];
  return [path, ...Object.entries(value).flatMap(([k, v]) => objects(v, [...path, k]))];
}

function withChange(body: Json, path: string[], change: (parent: Json, key: string) => void): Json {
  const copy = structuredClone(body);
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key];
  change(parent, path.at(-1)!);
  return copy;
}

/** Whether the document requires the body member at `path` (resolving component references). */
function requiredMember(doc: Json, method: string, template: string, path: string[]): boolean {
  const resolve = (schema: Json): Json =>
    schema?.$ref ? doc.components.schemas[String(schema.$ref).replace("#/components/schemas/", "")] : schema;
  let schema = resolve(doc.paths[template]?.[method.toLowerCase()]?.requestBody?.content?.["application/json"]?.schema);
  for (const [i, key] of path.entries()) {
    if (i === path.length - 1) return ((schema?.required ?? []) as string[]).includes(key);
    schema = resolve(schema?.properties?.[key]);
  }
  return true;
}

function corpus(token: string, doc: Json): Case[] {
  const cases: Case[] = [];
  for (const r of routes) {
    const auth: Array<[string, string]> = [["authorization", `Bearer ${token}`]];
    const base = (name: string, extra: Partial<Case> = {}): Case => ({
      name: `${r.method} ${r.template}: ${name}`,
      method: r.method,
      template: r.template,
      url: r.path,
      headers: [
        ...auth,
        ...Object.entries(r.headers ?? {}),
        ...(r.body ? [["content-type", "application/json"]] : []),
      ] as Array<[string, string]>,
      body: r.body ? JSON.stringify(r.body) : undefined,
      ...extra,
    });

    if (r.body) {
      for (const leaf of leaves(r.body)) {
        const pool = typeof leaf.value === "number" ? badNumbers : badStrings;
        for (const bad of pool) {
          const body = withChange(r.body, leaf.path, (p, k) => {
            p[k] = bad;
          });
          cases.push(
            base(`${leaf.path.join(".")} = ${JSON.stringify(bad)?.slice(0, 30)}`, { body: JSON.stringify(body) }),
          );
        }
        // Leaving out a member the document makes optional (a card's token: konbini sends none)
        // is no malformed request; what it means is the service's to judge.
        if (!requiredMember(doc, r.method, r.template, leaf.path)) continue;
        const missing = withChange(r.body, leaf.path, (p, k) => {
          delete p[k];
        });
        cases.push(base(`without ${leaf.path.join(".")}`, { body: JSON.stringify(missing) }));
      }
      for (const path of objects(r.body)) {
        const extra = structuredClone(r.body);
        let target = extra;
        for (const key of path) target = target[key];
        target.__proto__x = 1;
        target.constructor = "x";
        cases.push(base(`unknown member in ${path.join(".") || "(body)"}`, { body: JSON.stringify(extra) }));
      }
      cases.push(
        base("__proto__ member", { body: `{"__proto__": {"admin": true}, ${JSON.stringify(r.body).slice(1)}` }),
      );
      for (const body of notObjects) cases.push(base(`body ${body.slice(0, 12)}`, { body }));
      for (const body of brokenJson) cases.push(base(`broken JSON ${JSON.stringify(body)}`, { body }));
      cases.push(base("empty body", { body: "" }));
      cases.push(base("no body", { body: undefined }));
      cases.push(base("oversized body", { body: JSON.stringify({ ...r.body, pad: "x".repeat(70_000) }) }));
      for (const type of badContentTypes) {
        cases.push(
          base(`content-type ${type}`, {
            headers: [...auth, ...Object.entries(r.headers ?? {}), ["content-type", type]] as Array<[string, string]>,
          }),
        );
      }
      cases.push(
        base("no content-type", {
          headers: [...auth, ...Object.entries(r.headers ?? {})] as Array<[string, string]>,
        }),
      );
    }
    if (r.template.includes("{")) {
      for (const id of badIds) {
        cases.push(base(`path id ${id.slice(0, 20)}`, { url: r.path.replace(/[^/]+$/, id) }));
      }
    }
    if (r.template === "/api/v1/products" || r.template === "/api/v1/orders") {
      for (const q of badQueries) cases.push(base(`query ${q.slice(0, 30)}`, { url: `${r.path}?${q}` }));
    }
    if (r.headers?.["Idempotency-Key"]) {
      const others = base("").headers.filter(([h]) => h !== "Idempotency-Key");
      cases.push(base("no Idempotency-Key", { headers: others }));
      for (const key of ["", "k".repeat(256), "a,b", "tab\there"]) {
        cases.push(
          base(`Idempotency-Key ${JSON.stringify(key).slice(0, 20)}`, {
            headers: [...others, ["Idempotency-Key", key]],
          }),
        );
      }
      cases.push(
        base("Idempotency-Key sent twice", {
          headers: [...others, ["Idempotency-Key", "k1"], ["Idempotency-Key", "k1"]],
        }),
      );
    }
    if (r.template !== "/api/v1/dev/token") {
      const rest = base("").headers.filter(([h]) => h !== "authorization");
      cases.push(base("no Authorization", { headers: rest }));
      cases.push(base("Authorization sent twice", { headers: [...rest, ...auth, ...auth] }));
      cases.push(
        base("Authorization with a 10 kB token", { headers: [...rest, ["authorization", `Bearer ${TEN_KB}`]] }),
      );
      cases.push(base("Basic auth", { headers: [...rest, ["authorization", "Basic YWxpY2U6c2VjcmV0"]] }));
    }
  }
  return cases;
}

describe("hostile input", () => {
  it("every malformed request is a documented 4xx problem and writes nothing", async () => {
    const gw = startTestGateway();
    const doc = (await (await gw.app.request("/openapi.json")).json()) as Json;
    const cases = corpus(await issueToken(SECRET, "alice"), doc);
    expect(cases.length).toBeGreaterThan(300);
    const prefix = "POST /api/v1/checkout: ";
    const left = cases.filter((c) => c.name.startsWith(`${prefix}without `)).map((c) => c.name.slice(prefix.length));
    expect(left).toContain("without payment_method.type");
    expect(left).toContain("without shipping_address.name");
    expect(left).not.toContain("without payment_method.token");
    const failures: string[] = [];
    for (const c of cases) {
      const headers = new Headers();
      for (const [name, value] of c.headers) headers.append(name, value);
      const res = await gw.app.request(c.url, { method: c.method, headers, body: c.body });
      const text = await res.text();
      const problems: string[] = [];
      if (res.status < 400 || res.status >= 500) problems.push(`status ${res.status}`);
      if (!(res.headers.get("content-type") ?? "").startsWith("application/problem+json")) {
        problems.push(`content-type ${res.headers.get("content-type")}`);
      }
      let p: Json = {};
      try {
        p = JSON.parse(text);
      } catch {
        problems.push("body is not JSON");
      }
      if (typeof p.type !== "string" || !p.type.startsWith("https://checkout-saga.dev/problems/"))
        problems.push("type");
      if (typeof p.title !== "string" || typeof p.detail !== "string") problems.push("title/detail");
      if (p.status !== res.status) problems.push("status member");
      if (p.request_id !== res.headers.get("x-request-id")) problems.push("request_id");
      const documented = Object.keys(doc.paths[c.template]?.[c.method.toLowerCase()]?.responses ?? {});
      if (!documented.includes(String(res.status))) problems.push(`undocumented status ${res.status}`);
      if (gw.seen.mutations.length > 0) problems.push(`wrote: ${JSON.stringify(gw.seen.mutations.splice(0))}`);
      if (problems.length > 0) failures.push(`${c.name} → ${res.status} ${problems.join("; ")} ${text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
  });

  it("the unbroken requests the corpus starts from are accepted (so the corpus tests what it claims)", async () => {
    const gw = startTestGateway();
    const token = await issueToken(SECRET, "alice");
    for (const r of routes) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...r.headers };
      if (r.body) headers["content-type"] = "application/json";
      if (r.template === "/api/v1/cart/items/{product_id}" && r.method === "PUT") {
        await gw.app.request("/api/v1/cart/items", {
          method: "POST",
          headers,
          body: JSON.stringify({ product_id: "2", quantity: 1 }),
        });
      }
      if (r.template === "/api/v1/checkout/{id}") {
        await gw.call("POST", "/checkout", { body: routes[8]!.body, headers: { "Idempotency-Key": "first" } });
      }
      const res = await gw.app.request(r.path, {
        method: r.method,
        headers,
        body: r.body ? JSON.stringify(r.body) : undefined,
      });
      expect(res.status, `${r.method} ${r.path}: ${await res.clone().text()}`).toBeLessThan(300);
    }
  });
});
