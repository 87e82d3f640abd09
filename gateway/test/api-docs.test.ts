/**
 * GET /docs over HTTP: the page and everything it loads come from the gateway itself (it must
 * work with no internet), each with its content type, and it renders the served document.
 */
import { describe, expect, it } from "vitest";
import { startTestGateway } from "./fixture.js";

const CONTENT_TYPES: Record<string, RegExp> = {
  js: /^text\/javascript/,
  css: /^text\/css/,
  png: /^image\/png$/,
};

/** Every src= and href= of the page. */
const references = (html: string) => [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1] ?? "");

describe("GET /docs", async () => {
  const { app } = startTestGateway();
  const res = await app.request("/docs");
  const html = await res.text();
  const policy = res.headers.get("content-security-policy") ?? "";

  it("answers HTML, revalidated on each visit, under a policy that loads only from the gateway", () => {
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(policy).toContain("default-src 'none'");
    for (const directive of ["script-src", "style-src", "connect-src"]) {
      expect(policy).toMatch(new RegExp(`${directive} 'self'(;|$)`));
    }
    expect(policy).not.toContain("unsafe");
  });

  it("refers only to same-origin paths, in the page and in its start script", async () => {
    expect(html).not.toMatch(/https?:\/\//);
    const refs = references(html);
    expect(refs.length).toBeGreaterThanOrEqual(4);
    for (const ref of refs) expect(ref, ref).toMatch(/^\/docs\//);
    const scripts = refs.filter((r) => r.endsWith(".js"));
    for (const script of scripts) {
      if (script.includes("/assets/")) continue; // the library's own files: checked by the policy
      expect(await (await app.request(script)).text()).not.toMatch(/\bhttps?:\/\//);
    }
  });

  it("serves every file it refers to, with its content type", async () => {
    for (const ref of references(html)) {
      const asset = await app.request(ref);
      expect(asset.status, ref).toBe(200);
      const type = CONTENT_TYPES[ref.split(".").pop() ?? ""];
      expect(type, `a file of an unexpected kind: ${ref}`).toBeDefined();
      expect(asset.headers.get("content-type"), ref).toMatch(type as RegExp);
      expect(asset.headers.get("cache-control"), ref).toMatch(ref.includes("/assets/") ? /immutable/ : /no-cache/);
    }
  });

  it("starts Swagger UI on the gateway's own /openapi.json, with the online validator off", async () => {
    const start = references(html).find((r) => r.endsWith("/start.js")) ?? "";
    const script = await (await app.request(start)).text();
    expect(script).toContain('"url":"/openapi.json"');
    expect(script).toContain('"validatorUrl":null');
    expect((await app.request("/openapi.json")).status).toBe(200);
  });

  it("serves no file of the library beyond the ones the page needs", async () => {
    const bundle = references(html).find((r) => r.endsWith("swagger-ui-bundle.js")) ?? "";
    const beside = (name: string) => bundle.replace(/[^/]+$/, name);
    expect((await app.request(beside("package.json"))).status).toBe(404);
    expect((await app.request(beside("..%2Fpackage.json"))).status).toBe(404);
    expect((await app.request("/docs/assets/0.0.0/swagger-ui-bundle.js")).status).toBe(404);
  });

  it("leaves the API's own policy as strict as before", async () => {
    const api = await app.request("/openapi.json");
    expect(api.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});
