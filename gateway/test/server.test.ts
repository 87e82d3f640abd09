import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import type { Gateway } from "../src/service.js";
import { startGatewayServer, startTestGateway } from "./fixture.js";

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("startGateway", () => {
  let gateway: Gateway | undefined;
  afterAll(async () => {
    await gateway?.stop();
  });

  it("serves HTTP/1.1: live is ok, ready names the unreachable services with a 503 problem", async () => {
    const down = `http://127.0.0.1:${await closedPort()}`;
    gateway = await startGatewayServer(down);
    expect(gateway.port).toBeGreaterThan(0);

    const live = await fetch(`${gateway.url}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: "ok" });

    const ready = await fetch(`${gateway.url}/api/v1/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const p = (await ready.json()) as { unavailable: string[] };
    expect(p.unavailable.sort()).toEqual(["cart", "checkout", "inventory", "orders", "product"]);

    const devToken = await fetch(`${gateway.url}/api/v1/dev/token`, { method: "POST", body: "{}" });
    expect(devToken.status).toBe(404);
  });

  it("stops once, and a second stop is harmless", async () => {
    await gateway?.stop();
    await gateway?.stop();
    await expect(fetch(`${gateway?.url}/health/live`)).rejects.toThrow();
  });
});

describe("readiness", () => {
  it("is ready when every service answers, even with a refusal", async () => {
    const gw = startTestGateway({
      services: (d) => ({
        cart: { ...d.cart },
        checkout: { listCheckouts: () => ({ checkouts: [], nextPageToken: "" }) },
        orders: { listOrders: () => ({ orders: [], nextPageToken: "" }) },
      }),
    });
    const res = await gw.app.request("/health/ready");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: "ok",
      services: { product: "up", cart: "up", inventory: "up", checkout: "up", orders: "up" },
    });
  });
});
