import { describe, expect, it } from "vitest";
import { startTestGateway } from "./fixture.js";

/*
 * The inspector's files as the gateway serves them, in process: the page with its own header
 * policy, its modules and the layout library with script types, and nothing outside its folder.
 */

describe("GET /inspector/", () => {
  const { app } = startTestGateway();

  it("redirects to the trailing slash the page's relative paths need", async () => {
    const res = await app.request("/inspector");
    expect(res.status).toBe(301);
    expect(res.headers.get("location")).toBe("/inspector/");
  });

  it("serves the page under a policy that lets it run its own scripts and call this origin only", async () => {
    const res = await app.request("/inspector/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const policy = res.headers.get("content-security-policy") ?? "";
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(await res.text()).toContain("Saga inspector");
  });

  it.each([
    ["/inspector/app.js", "text/javascript; charset=utf-8"],
    ["/inspector/style.css", "text/css; charset=utf-8"],
    ["/inspector/vendor/elk.bundled.js", "text/javascript; charset=utf-8"],
    ["/inspector/sagas/checkout.json", "application/json"],
  ])("serves %s as %s", async (path, type) => {
    const res = await app.request(path);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(type);
  });

  it("answers 404 for anything it does not hold, and keeps the API's policy on the API", async () => {
    expect((await app.request("/inspector/../package.json")).status).toBe(404);
    expect((await app.request("/inspector/nothing.js")).status).toBe(404);
    const api = await app.request("/api/v1/health");
    expect(api.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});
