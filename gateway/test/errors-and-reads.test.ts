import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { DomainError, toConnectError } from "@checkout-saga/shared";
import { OrderSchema, OrderStatus } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { type Json, problemOf, startTestGateway, usd } from "./fixture.js";

/** A gateway whose cart service fails every GetCart with `err`. */
const cartFailingWith = (err: unknown) =>
  startTestGateway({
    services: (d) => ({
      cart: {
        ...d.cart,
        getCart() {
          throw err;
        },
      },
    }),
  });

describe("Connect errors → problems", () => {
  const cases: Array<[string, unknown, number, string]> = [
    ["InvalidArgument", new ConnectError("bad page", Code.InvalidArgument), 400, "invalid-argument"],
    ["NotFound", new ConnectError("nope", Code.NotFound), 404, "not-found"],
    ["AlreadyExists", new ConnectError("dup", Code.AlreadyExists), 409, "conflict"],
    ["FailedPrecondition", new ConnectError("stale", Code.FailedPrecondition), 409, "conflict"],
    [
      "FailedPrecondition CART_LINE_LIMIT",
      toConnectError(new DomainError("failed_precondition", "CART_LINE_LIMIT", "50 lines at most")),
      422,
      "cart-line-limit",
    ],
    [
      "Aborted with a reason",
      toConnectError(new DomainError("aborted", "CHECKOUT_BUSY", "being advanced")),
      409,
      "checkout-busy",
    ],
    [
      "Aborted by the transport (ECONNRESET)",
      new ConnectError("socket hang up", Code.Aborted),
      503,
      "service-unavailable",
    ],
    ["ResourceExhausted", new ConnectError("slow down", Code.ResourceExhausted), 429, "rate-limited"],
    // A service refusing the gateway's own credential: ours to fix, nothing the client's token can change.
    ["Unauthenticated", new ConnectError("who", Code.Unauthenticated), 500, "internal-error"],
    ["PermissionDenied", new ConnectError("no", Code.PermissionDenied), 403, "permission-denied"],
    ["Unavailable", new ConnectError("connect ECONNREFUSED 10.1.2.3", Code.Unavailable), 503, "service-unavailable"],
    [
      "Canceled by the service (killed mid-call)",
      new ConnectError("stream reset", Code.Canceled),
      503,
      "service-unavailable",
    ],
    ["DeadlineExceeded", new ConnectError("too slow", Code.DeadlineExceeded), 504, "upstream-timeout"],
    ["Internal", new ConnectError("relation carts does not exist", Code.Internal), 500, "internal-error"],
    ["a plain Error", new Error("TypeError: x is undefined"), 500, "internal-error"],
  ];
  for (const [name, err, status, slug] of cases) {
    it(`${name} → ${status} ${slug}`, async () => {
      const res = await cartFailingWith(err).call("GET", "/cart");
      expect(res.status).toBe(status);
      const p = await problemOf(res);
      expect(p.type).toBe(`https://checkout-saga.dev/problems/${slug}`);
      expect(p.status).toBe(status);
      expect(typeof p.title).toBe("string");
      // A 503 says when to try again.
      expect(res.headers.get("retry-after")).toBe(status === 503 ? "1" : null);
      if (status >= 500) {
        const text = JSON.stringify(p);
        for (const secret of ["ECONNREFUSED", "relation carts", "TypeError", "10.1.2.3"])
          expect(text).not.toContain(secret);
      }
    });
  }

  it("keeps a service's machine context on 4xx problems", async () => {
    const err = toConnectError(
      new DomainError("failed_precondition", "OUT_OF_STOCK", "not enough stock", {
        metadata: { product_id: "1" },
        lines: [{ productId: "1", requested: 4, available: 2 }],
      }),
    );
    const p = await problemOf(await cartFailingWith(err).call("GET", "/cart"));
    expect(p).toMatchObject({
      status: 409,
      type: "https://checkout-saga.dev/problems/out-of-stock",
      code: "OUT_OF_STOCK",
      product_id: "1",
      lines: [{ product_id: "1", requested: 4, available: 2 }],
    });
  });

  it("a method a route does not take is a 405 problem with Allow, before authentication", async () => {
    const gw = startTestGateway();
    for (const [method, path, allow] of [
      ["PUT", "/cart", "DELETE, GET, HEAD, PATCH"],
      ["PATCH", "/checkout", "POST"],
      ["DELETE", "/products", "GET, HEAD"],
      ["POST", "/products/1", "GET, HEAD"],
      ["PUT", "/orders/o-1", "GET, HEAD"],
    ] as const) {
      const res = await gw.call(method, path, { user: null });
      expect([method, path, res.status]).toEqual([method, path, 405]);
      expect(res.headers.get("allow")).toBe(allow);
      expect((await problemOf(res)).type).toBe("https://checkout-saga.dev/problems/method-not-allowed");
    }
    // The methods a path does take still reach their routes (here: authentication first).
    expect((await gw.call("GET", "/cart", { user: null })).status).toBe(401);
    expect((await gw.call("HEAD", "/products", { user: null })).status).toBe(401);
  });

  it("unknown routes are 404 problems", async () => {
    const gw = startTestGateway();
    const res = await gw.call("GET", "/nowhere");
    expect(res.status).toBe(404);
    expect((await problemOf(res)).type).toBe("https://checkout-saga.dev/problems/not-found");
  });
});

describe("X-Request-Id", () => {
  it("is generated when absent, returned, and sent downstream", async () => {
    const gw = startTestGateway();
    const res = await gw.call("POST", "/cart/items", { body: { product_id: "1", quantity: 1 } });
    const id = res.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(gw.seen.requestIds).toEqual([id]);
  });

  it("keeps a sane incoming id and replaces an unsafe one", async () => {
    const gw = startTestGateway();
    const kept = await gw.call("GET", "/products/1", { headers: { "X-Request-Id": "trace-abc_123" } });
    expect(kept.headers.get("x-request-id")).toBe("trace-abc_123");
    expect(gw.seen.requestIds).toEqual(["trace-abc_123"]);
    const replaced = await gw.call("GET", "/products/1", { headers: { "X-Request-Id": "bad id; drop table" } });
    expect(replaced.headers.get("x-request-id")).not.toBe("bad id; drop table");
  });

  it("is on error responses too", async () => {
    const gw = startTestGateway();
    const res = await gw.call("GET", "/cart", { user: null, headers: { "X-Request-Id": "req-401" } });
    expect(res.headers.get("x-request-id")).toBe("req-401");
    expect((await problemOf(res)).request_id).toBe("req-401");
  });
});

describe("products", () => {
  it("lists the catalog with live availability and a null next_page_token on the last page", async () => {
    const gw = startTestGateway();
    const res = await gw.call("GET", "/products?limit=10");
    expect(res.status).toBe(200);
    const json = (await res.json()) as Json;
    expect(json.next_page_token).toBeNull();
    expect(json.items[0]).toEqual({
      id: "1",
      name: "Laptop",
      description: "A laptop",
      price: { currency: "USD", amount_minor: 129999 },
      prices: [
        { currency: "JPY", amount_minor: 189800 },
        { currency: "USD", amount_minor: 129999 },
      ],
      tax_class: "standard",
      image_url: "/l.png",
      sellable: true,
      available: 5,
    });
  });

  it("prices the catalog in ?currency=, with a null price for a product not sold in it", async () => {
    const gw = startTestGateway();
    const json = (await (await gw.call("GET", "/products?currency=JPY")).json()) as Json;
    expect(json.items.map((p: Json) => [p.id, p.price])).toEqual([
      ["1", { currency: "JPY", amount_minor: 189800 }],
      ["2", { currency: "JPY", amount_minor: 4480 }],
      ["7", null],
    ]);
    expect(json.items[2].prices).toEqual([{ currency: "USD", amount_minor: 2500 }]);
    const one = (await (await gw.call("GET", "/products/2?currency=JPY")).json()) as Json;
    expect(one.price).toEqual({ currency: "JPY", amount_minor: 4480 });
    expect(gw.seen.requestIds.length).toBeGreaterThan(0);
  });

  it("refuses a malformed ?currency= with a 400 problem naming the parameter", async () => {
    const gw = startTestGateway();
    const res = await gw.call("GET", "/products?currency=yen");
    expect(res.status).toBe(400);
    expect(JSON.stringify(await problemOf(res))).toContain("currency");
  });

  it("shows one product, or a 404 problem", async () => {
    const gw = startTestGateway();
    expect(((await (await gw.call("GET", "/products/2")).json()) as Json).name).toBe("Mouse");
    const missing = await gw.call("GET", "/products/99");
    expect(missing.status).toBe(404);
    expect((await problemOf(missing)).type).toBe("https://checkout-saga.dev/problems/product-not-found");
  });
});

describe("orders", () => {
  const order = create(OrderSchema, {
    id: "o-1",
    checkoutId: "co-1",
    userId: "alice",
    status: OrderStatus.CONFIRMED,
    total: usd(2999),
    items: [{ productId: "2", name: "Mouse", quantity: 1, unitPrice: usd(2999) }],
    createdAt: timestampFromDate(new Date("2026-01-01T00:00:00Z")),
  });

  it("lists the caller's orders with paging and shows one", async () => {
    const asked: unknown[] = [];
    const gw = startTestGateway({
      services: () => ({
        orders: {
          listOrders(req) {
            asked.push({ userId: req.userId, pageSize: req.pageSize, pageToken: req.pageToken });
            return { orders: [order], nextPageToken: "next" };
          },
          getOrder(req) {
            asked.push({ orderId: req.orderId, userId: req.userId });
            return { order };
          },
        },
      }),
    });
    const list = await gw.call("GET", "/orders?limit=5&page_token=abc");
    expect(list.status).toBe(200);
    const json = (await list.json()) as Json;
    expect(json.next_page_token).toBe("next");
    expect(json.items[0]).toMatchObject({
      id: "o-1",
      checkout_id: "co-1",
      status: "CONFIRMED",
      total: { currency: "USD", amount_minor: 2999 },
      items: [{ product_id: "2", name: "Mouse", quantity: 1, unit_price: { currency: "USD", amount_minor: 2999 } }],
      created_at: "2026-01-01T00:00:00.000Z",
    });
    const one = await gw.call("GET", "/orders/o-1");
    expect(((await one.json()) as Json).id).toBe("o-1");
    expect(asked).toEqual([
      { userId: "alice", pageSize: 5, pageToken: "abc" },
      { orderId: "o-1", userId: "alice" },
    ]);
  });
});
