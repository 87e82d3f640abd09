import type { Server } from "node:http";
import type { HandlerContext } from "@connectrpc/connect";
import { serve } from "@hono/node-server";
import { afterAll, describe, expect, it } from "vitest";
import { issueToken } from "../src/auth/tokens.js";
import { problemOf, SECRET, startTestGateway } from "./fixture.js";

/** A downstream call that never answers: it only ends when its signal aborts, and says so. */
function hangingCall() {
  let entered!: () => void;
  let aborted!: (reason: unknown) => void;
  const state = {
    entered: new Promise<void>((r) => {
      entered = r;
    }),
    aborted: new Promise<unknown>((r) => {
      aborted = r;
    }),
    timeoutMs: undefined as number | undefined,
  };
  const handler = (ctx: HandlerContext) => {
    state.timeoutMs = ctx.timeoutMs();
    entered();
    return new Promise<never>((_, reject) => {
      ctx.signal.addEventListener("abort", () => {
        aborted(ctx.signal.reason);
        reject(ctx.signal.reason);
      });
    });
  };
  return { state, handler };
}

describe("deadlines", () => {
  it("a downstream that never answers is a 504 problem once the route's deadline passes, and its call is cancelled", async () => {
    const hang = hangingCall();
    const gw = startTestGateway({
      env: { GATEWAY_REQUEST_TIMEOUT_MS: "300" },
      services: (d) => ({ cart: { ...d.cart, getCart: (_req, ctx) => hang.handler(ctx) } }),
    });
    const res = await gw.call("GET", "/cart");
    expect(res.status).toBe(504);
    const p = await problemOf(res);
    expect(p.type).toBe("https://checkout-saga.dev/problems/upstream-timeout");
    expect(p.request_id).toBe(res.headers.get("x-request-id"));
    await hang.state.aborted;
    expect(hang.state.timeoutMs).toBeLessThanOrEqual(300);
  });

  it("POST /checkout gets its own, longer deadline; other routes the default", async () => {
    let checkoutTimeout: number | undefined;
    let cartTimeout: number | undefined;
    const gw = startTestGateway({
      env: { GATEWAY_REQUEST_TIMEOUT_MS: "1000", GATEWAY_CHECKOUT_TIMEOUT_MS: "60000" },
      services: (d) => ({
        cart: {
          ...d.cart,
          getCart(req, ctx) {
            cartTimeout = ctx.timeoutMs();
            return d.cart.getCart!(req, ctx);
          },
        },
        checkout: {
          ...d.checkout,
          initiateCheckout(req, ctx) {
            checkoutTimeout = ctx.timeoutMs();
            return d.checkout.initiateCheckout!(req, ctx);
          },
        },
      }),
    });
    expect((await gw.call("GET", "/cart")).status).toBe(200);
    const body = {
      payment_method: { type: "card", token: "tok_visa" },
      shipping_address: {
        name: "A",
        phone: "1234",
        postal_code: "1",
        region: "R",
        city: "C",
        line1: "L",
        country: "JP",
      },
    };
    expect((await gw.call("POST", "/checkout", { body, headers: { "Idempotency-Key": "k" } })).status).toBe(201);
    expect(cartTimeout).toBeLessThanOrEqual(1000);
    expect(checkoutTimeout).toBeGreaterThan(1000);
    expect(checkoutTimeout).toBeLessThanOrEqual(60_000);
  });
});

describe("a client that goes away", () => {
  let server: Server | undefined;
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it("cancels the downstream calls made for it (over real HTTP)", async () => {
    const hang = hangingCall();
    // A deadline far beyond the test's timeout: only the client's going away can end the call.
    const gw = startTestGateway({
      env: { GATEWAY_REQUEST_TIMEOUT_MS: "600000" },
      services: (d) => ({ cart: { ...d.cart, getCart: (_req, ctx) => hang.handler(ctx) } }),
    });
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: gw.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port)) as Server;
    });
    const client = new AbortController();
    const request = fetch(`http://127.0.0.1:${port}/api/v1/cart`, {
      headers: { authorization: `Bearer ${await issueToken(SECRET, "alice")}` },
      signal: client.signal,
    }).catch((err: unknown) => err);
    await hang.state.entered;
    client.abort();
    expect(await request).toBeInstanceOf(Error);
    // The downstream call sees its own signal abort: the work is cancelled, not orphaned.
    await hang.state.aborted;
  });
});
