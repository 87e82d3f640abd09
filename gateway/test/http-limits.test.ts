/**
 * The limits Node's HTTP server and the gateway enforce before a route runs, over real sockets.
 * A body over the limit must read as a 413 problem on the client every time: the gateway answers
 * before the body is read, and closing then (or stalling the rest of the body until a timer
 * closes the socket) resets the connection under a client still writing, or under the next
 * request on a kept-alive one.
 */
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_HEADER_BYTES } from "../src/client-errors.js";
import type { Gateway } from "../src/service.js";
import { startGatewayServer } from "./fixture.js";

const MUTATING_ROUTES: Array<[method: string, path: string]> = [
  ["POST", "/api/v1/dev/token"],
  ["POST", "/api/v1/cart/items"],
  ["PUT", "/api/v1/cart/items/2"],
  ["DELETE", "/api/v1/cart/items/2"],
  ["DELETE", "/api/v1/cart"],
  ["POST", "/api/v1/checkout"],
];
const REQUESTS_PER_ROUTE = 25;
const TWO_MB = Buffer.alloc(2 * 1024 * 1024, "x");

/** "413 problem" when the client read a 413 problem+json, else what it got instead. */
type Outcome = string;

function outcomeOf(res: { status: number; contentType: string | null; body: string }): Outcome {
  let type: unknown;
  try {
    type = JSON.parse(res.body).type;
  } catch {
    type = undefined;
  }
  const isProblem =
    res.status === 413 &&
    (res.contentType ?? "").startsWith("application/problem+json") &&
    type === "https://checkout-saga.dev/problems/payload-too-large";
  return isProblem ? "413 problem" : `${res.status} ${res.contentType} ${res.body.slice(0, 80)}`;
}

/** node:http on a keep-alive agent, the body sent with a Content-Length or chunked. */
function sendWithNodeHttp(
  agent: http.Agent,
  port: number,
  method: string,
  path: string,
  framing: "content-length" | "chunked",
): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: http.OutgoingHttpHeaders = { "content-type": "application/json" };
    // Explicit: node:http sends a DELETE's body unframed unless told.
    if (framing === "content-length") headers["content-length"] = TWO_MB.length;
    else headers["transfer-encoding"] = "chunked";
    const req = http.request({ host: "127.0.0.1", port, method, path, agent, headers });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () =>
        resolve(outcomeOf({ status: res.statusCode ?? 0, contentType: res.headers["content-type"] ?? null, body })),
      );
      res.on("error", (err: NodeJS.ErrnoException) => resolve(`response ${err.code ?? err.message}`));
    });
    req.on("error", (err: NodeJS.ErrnoException) => resolve(`request ${err.code ?? err.message}`));
    if (framing === "chunked") {
      // Several writes, so the gateway refuses the body while it is still arriving.
      for (let offset = 0; offset < TWO_MB.length; offset += 64 * 1024)
        req.write(TWO_MB.subarray(offset, offset + 64 * 1024));
      req.end();
    } else {
      req.end(TWO_MB);
    }
  });
}

/** The global fetch (undici), which keeps connections alive and reuses them. */
async function sendWithFetch(url: string, method: string): Promise<Outcome> {
  try {
    const res = await fetch(url, { method, body: TWO_MB, headers: { "content-type": "application/json" } });
    return outcomeOf({ status: res.status, contentType: res.headers.get("content-type"), body: await res.text() });
  } catch (err) {
    const cause = (err as { cause?: NodeJS.ErrnoException }).cause;
    return `fetch ${cause?.code ?? (err as Error).message}`;
  }
}

/** How many requests ended each way, e.g. { "413 problem": 150 }. */
function tally(outcomes: Outcome[]): Record<Outcome, number> {
  const counts: Record<Outcome, number> = {};
  for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
  return counts;
}

/** Writes `request` on a fresh connection and reads everything until the gateway closes it. */
function exchange(port: number, request: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.end(request));
    let raw = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      raw += chunk;
    });
    socket.on("error", reject);
    socket.on("close", () => {
      const [headers = "", body = ""] = raw.split("\r\n\r\n");
      resolve({ status: Number(headers.split(" ")[1]), headers, body });
    });
  });
}

describe("limits over real sockets", () => {
  let gateway: Gateway;
  beforeAll(async () => {
    // Nothing downstream is needed: the body limit answers before any service is called.
    gateway = await startGatewayServer("http://127.0.0.1:1", { AUTH_DEV_TOKENS: "true", RATE_LIMIT_PER_MINUTE: "0" });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  const expected = { "413 problem": MUTATING_ROUTES.length * REQUESTS_PER_ROUTE };

  it("reads 413 problem+json on every request with fetch, on fresh and reused connections", async () => {
    const outcomes: Outcome[] = [];
    for (const [method, path] of MUTATING_ROUTES) {
      const batch = Array.from({ length: REQUESTS_PER_ROUTE }, () => sendWithFetch(`${gateway.url}${path}`, method));
      outcomes.push(...(await Promise.all(batch)));
    }
    expect(tally(outcomes)).toEqual(expected);
  });

  for (const framing of ["content-length", "chunked"] as const) {
    it(`reads 413 problem+json on every request with node:http, body framed by ${framing}`, async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
      try {
        const outcomes: Outcome[] = [];
        for (const [method, path] of MUTATING_ROUTES) {
          const batch = Array.from({ length: REQUESTS_PER_ROUTE }, () =>
            sendWithNodeHttp(agent, gateway.port, method, path, framing),
          );
          outcomes.push(...(await Promise.all(batch)));
        }
        expect(tally(outcomes)).toEqual(expected);
      } finally {
        agent.destroy();
      }
    });
  }

  it("answers headers over the limit with a 431 problem+json, and closes", async () => {
    const res = await exchange(
      gateway.port,
      `GET /api/v1/products HTTP/1.1\r\nHost: x\r\nX-Padding: ${"x".repeat(MAX_HEADER_BYTES)}\r\n\r\n`,
    );
    expect(res.status).toBe(431);
    expect(res.headers).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/);
    expect(res.headers).toMatch(/\r\nConnection: close$/m);
    expect(JSON.parse(res.body)).toMatchObject({
      type: "https://checkout-saga.dev/problems/header-fields-too-large",
      status: 431,
    });
  });

  it("answers malformed HTTP with a 400 problem+json", async () => {
    const res = await exchange(gateway.port, "NOT HTTP AT ALL\r\n\r\n");
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ type: "https://checkout-saga.dev/problems/bad-request", status: 400 });
  });

  it("answers TRACE, a method no route takes, with a 405 problem+json and Allow", async () => {
    const res = await exchange(gateway.port, "TRACE /api/v1/cart HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(res.status).toBe(405);
    expect(res.headers).toMatch(/\r\nallow: DELETE, GET, HEAD, PATCH\r\n/i);
    expect(JSON.parse(res.body)).toMatchObject({
      type: "https://checkout-saga.dev/problems/method-not-allowed",
      status: 405,
    });
  });

  it("serves headers just under the limit", async () => {
    const res = await fetch(`${gateway.url}/health/live`, {
      headers: { "x-padding": "x".repeat(MAX_HEADER_BYTES - 1024) },
    });
    expect(res.status).toBe(200);
  });
});
