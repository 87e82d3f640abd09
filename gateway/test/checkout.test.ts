import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { DomainError, toConnectError } from "@checkout-saga/shared";
import {
  type Checkout,
  CheckoutFailureSchema,
  CheckoutStatus,
  NextActionSchema,
  TransitionSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { TotalsSchema } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/common_pb";
import { describe, expect, it } from "vitest";
import { buildCheckout, CHECKOUT_BODY, type Json, jpy, problemOf, startTestGateway } from "./fixture.js";

const body = CHECKOUT_BODY;
const KEY = { "Idempotency-Key": "order-1" };

/** A gateway whose checkout service answers `checkout`, replaying it for a repeated key. */
function gatewayAnswering(checkout: Checkout) {
  const keys = new Set<string>();
  return startTestGateway({
    services: () => ({
      checkout: {
        initiateCheckout(req) {
          const replayed = keys.has(req.idempotencyKey);
          keys.add(req.idempotencyKey);
          return { checkout, replayed };
        },
      },
    }),
  });
}

const failed = (
  code: string,
  extra: Partial<{ message: string; declineCode: string; shortages: Json[]; pointsBalance: bigint }> = {},
  checkout: Partial<Checkout> = {},
) =>
  buildCheckout({
    ...checkout,
    status: CheckoutStatus.FAILED,
    failure: create(CheckoutFailureSchema, { code, message: extra.message ?? "", ...extra }),
  });

/** A ¥13,200 Keyboard of which `points` are paid in points. */
const paidWithPoints = (points: number) => ({
  total: jpy(13_200 - points),
  totals: create(TotalsSchema, { subtotal: jpy(13_200), pointsRedeemed: jpy(points), total: jpy(13_200 - points) }),
});

describe("POST /checkout", () => {
  it("passes the caller, key, payment method and address to InitiateCheckout", async () => {
    const gw = startTestGateway();
    const res = await gw.call("POST", "/checkout", { body, headers: KEY, user: "carol" });
    expect(res.status).toBe(201);
    const [req] = gw.seen.checkoutRequests;
    expect(req?.userId).toBe("carol");
    expect(req?.idempotencyKey).toBe("order-1");
    expect(req?.paymentMethod?.token).toBe("tok_visa");
    expect(req?.shippingAddress?.postalCode).toBe("100-0001");
    expect(req?.shippingAddress?.line2).toBe("");
  });

  it("takes a konbini payment method by its schema and passes it on; the checkout service decides", async () => {
    const gw = startTestGateway();
    const methods = [{ type: "konbini" }, { type: "konbini", store: "lawson" }, { type: "card", token: "tok_visa" }];
    for (const [i, payment_method] of methods.entries()) {
      const res = await gw.call("POST", "/checkout", {
        body: { ...body, payment_method },
        headers: { "Idempotency-Key": `method-${i}` },
      });
      expect(res.status, JSON.stringify(payment_method)).toBe(201);
    }
    expect(
      gw.seen.checkoutRequests.map((r) => ({
        type: r.paymentMethod?.type,
        token: r.paymentMethod?.token,
        store: r.paymentMethod?.store,
      })),
    ).toEqual([
      { type: "konbini", token: "", store: "" },
      { type: "konbini", token: "", store: "lawson" },
      { type: "card", token: "tok_visa", store: "" },
    ]);
  });

  it("konbini PAYMENT_PENDING → 202 with next_action (the voucher), replayed as 202; GET shows it too", async () => {
    const pending = buildCheckout({
      status: CheckoutStatus.PAYMENT_PENDING,
      paymentDeadline: timestampFromDate(new Date("2026-01-04T00:05:00Z")),
      nextAction: create(NextActionSchema, {
        type: "konbini_display_details",
        konbini: {
          confirmationNumber: "12345678901",
          store: "lawson",
          expiresAt: timestampFromDate(new Date("2026-01-04T00:00:00Z")),
        },
      }),
    });
    const gw = startTestGateway({
      services: () => ({
        checkout: {
          initiateCheckout: (req) => ({ checkout: pending, replayed: req.idempotencyKey === "again" }),
          getCheckout: () => ({ checkout: pending }),
        },
      }),
    });
    const nextAction = {
      type: "konbini_display_details",
      konbini: { confirmation_number: "12345678901", store: "lawson", expires_at: "2026-01-04T00:00:00.000Z" },
    };
    const konbini = { ...body, payment_method: { type: "konbini", store: "lawson" } };
    const first = await gw.call("POST", "/checkout", { body: konbini, headers: KEY });
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ status: "PAYMENT_PENDING", next_action: nextAction });
    const replay = await gw.call("POST", "/checkout", { body: konbini, headers: { "Idempotency-Key": "again" } });
    expect(replay.status).toBe(202);
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    const shown = await gw.call("GET", "/checkout/co-1");
    expect(await shown.json()).toMatchObject({ status: "PAYMENT_PENDING", next_action: nextAction });
  });

  it("COMPLETED → 201 with the checkout; a replay gets the same status and body plus Idempotent-Replayed", async () => {
    const gw = gatewayAnswering(buildCheckout());
    const first = await gw.call("POST", "/checkout", { body, headers: KEY });
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(first.headers.get("location")).toBe("/api/v1/checkout/co-1");
    const firstBody = await first.text();
    expect(JSON.parse(firstBody)).toMatchObject({
      checkout_id: "co-1",
      status: "COMPLETED",
      total: { currency: "USD", amount_minor: 135997 },
      items: [
        { product_id: "1", name: "Laptop", quantity: 1, unit_price: { currency: "USD", amount_minor: 129999 } },
        { product_id: "2", name: "Mouse", quantity: 2, subtotal: { currency: "USD", amount_minor: 5998 } },
      ],
    });
    const replay = await gw.call("POST", "/checkout", { body, headers: KEY });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await replay.text()).toBe(firstBody);
  });

  it("PAYMENT_DECLINED → 402 problem with checkout_id and decline code, replayed identically", async () => {
    const gw = gatewayAnswering(failed("PAYMENT_DECLINED", { message: "card declined", declineCode: "card_declined" }));
    const res = await gw.call("POST", "/checkout", { body, headers: KEY });
    expect(res.status).toBe(402);
    const p = await problemOf(res);
    expect(p).toMatchObject({
      type: "https://checkout-saga.dev/problems/payment-declined",
      status: 402,
      checkout_id: "co-1",
      decline_code: "card_declined",
      code: "PAYMENT_DECLINED",
    });
    const replay = await gw.call("POST", "/checkout", { body, headers: KEY });
    expect(replay.status).toBe(402);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    const again = await problemOf(replay);
    expect({ ...again, request_id: undefined }).toEqual({ ...p, request_id: undefined });
  });

  it("OUT_OF_STOCK → 409 problem naming the lines", async () => {
    const gw = gatewayAnswering(
      failed("OUT_OF_STOCK", { shortages: [{ productId: "1", requested: 3, available: 1 }] }),
    );
    const res = await gw.call("POST", "/checkout", { body, headers: KEY });
    expect(res.status).toBe(409);
    expect(await problemOf(res)).toMatchObject({
      type: "https://checkout-saga.dev/problems/out-of-stock",
      checkout_id: "co-1",
      lines: [{ product_id: "1", requested: 3, available: 1 }],
    });
  });

  it("RESERVATION_LOST → 409, STEP_FAILED → 503 without the internal message", async () => {
    const lost = await gatewayAnswering(failed("RESERVATION_LOST")).call("POST", "/checkout", { body, headers: KEY });
    expect(lost.status).toBe(409);
    expect((await problemOf(lost)).type).toBe("https://checkout-saga.dev/problems/reservation-lost");
    const step = await gatewayAnswering(failed("STEP_FAILED", { message: "pg: connection reset at 10.0.0.3" })).call(
      "POST",
      "/checkout",
      { body, headers: KEY },
    );
    expect(step.status).toBe(503);
    // 503 means "retry": after Retry-After, with the same key.
    expect(step.headers.get("retry-after")).toBe("2");
    const p = await problemOf(step);
    expect(p.checkout_id).toBe("co-1");
    expect(JSON.stringify(p)).not.toContain("10.0.0.3");
  });

  it("a checkout still waiting for payment (or in step mode) → 202 with the checkout", async () => {
    const deadline = new Date("2026-01-01T00:10:00Z");
    const gw = gatewayAnswering(
      buildCheckout({ status: CheckoutStatus.PAYMENT_PENDING, paymentDeadline: timestampFromDate(deadline) }),
    );
    const res = await gw.call("POST", "/checkout", { body, headers: KEY });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: "PAYMENT_PENDING", payment_deadline: deadline.toISOString() });
    const stepped = gatewayAnswering(buildCheckout({ status: CheckoutStatus.INVENTORY_RESERVED }));
    expect((await stepped.call("POST", "/checkout", { body: { ...body, step_mode: true }, headers: KEY })).status).toBe(
      202,
    );
  });

  const refusing = (err: DomainError) =>
    startTestGateway({
      services: () => ({
        checkout: {
          initiateCheckout() {
            throw toConnectError(err);
          },
        },
      }),
    });

  it("maps the service's refusals: key reused → 422, key in flight → 409, empty cart or unfit method → 422", async () => {
    const cases: Array<[DomainError, number, string]> = [
      [
        new DomainError("failed_precondition", "IDEMPOTENCY_KEY_REUSED", "different body"),
        422,
        "idempotency-key-reused",
      ],
      [new DomainError("aborted", "IDEMPOTENCY_KEY_IN_FLIGHT", "still running"), 409, "idempotency-key-in-flight"],
      [new DomainError("failed_precondition", "CART_EMPTY", "the cart is empty"), 422, "cart-empty"],
      // The body passed its schema, yet its payment method's members do not fit together.
      [
        new DomainError("invalid_argument", "INVALID_PAYMENT_METHOD", "payment_method.token is required for a card"),
        422,
        "invalid-payment-method",
      ],
      [
        new DomainError("failed_precondition", "KONBINI_AMOUNT_OUT_OF_RANGE", "konbini takes ¥120..¥300,000"),
        422,
        "konbini-amount-out-of-range",
      ],
      [
        new DomainError("failed_precondition", "POINTS_EXCEED_TOTAL", "more points than the total"),
        422,
        "points-exceed-total",
      ],
      [
        new DomainError("failed_precondition", "POINTS_CURRENCY_UNSUPPORTED", "points pay for JPY carts only"),
        422,
        "points-currency-unsupported",
      ],
    ];
    for (const [err, status, slug] of cases) {
      const res = await refusing(err).call("POST", "/checkout", { body, headers: KEY });
      expect(res.status, err.reason).toBe(status);
      const p = await problemOf(res);
      expect(p.type).toBe(`https://checkout-saga.dev/problems/${slug}`);
      expect(p.code).toBe(err.reason);
    }
  });

  it("passes the points to redeem on; none when the body has none", async () => {
    const gw = startTestGateway();
    await gw.call("POST", "/checkout", { body: { ...body, points: 100 }, headers: KEY });
    await gw.call("POST", "/checkout", { body, headers: { "Idempotency-Key": "order-2" } });
    expect(gw.seen.checkoutRequests.map((r) => r.points)).toEqual([100n, 0n]);
  });

  it.each([-1, 1.5, "100", 2 ** 53])(
    "refuses points %j by the field's rule, before calling the service",
    async (points) => {
      const gw = startTestGateway();
      const res = await gw.call("POST", "/checkout", { body: { ...body, points }, headers: KEY });
      expect(res.status).toBe(400);
      expect((await problemOf(res)).errors[0]).toMatchObject({ path: "points", in: "body" });
      expect(gw.seen.checkoutRequests).toHaveLength(0);
    },
  );

  it("COMPLETED with points → 201 whose totals show the points and the rest charged", async () => {
    const gw = gatewayAnswering(buildCheckout(paidWithPoints(100)));
    const res = await gw.call("POST", "/checkout", { body: { ...body, points: 100 }, headers: KEY });
    expect(res.status).toBe(201);
    expect(((await res.json()) as Json).totals).toMatchObject({
      subtotal: { currency: "JPY", amount_minor: 13_200 },
      points_redeemed: { currency: "JPY", amount_minor: 100 },
      total: { currency: "JPY", amount_minor: 13_100 },
    });
  });

  it("POINTS_INSUFFICIENT → 422 problem naming what was asked and the balance, replayed identically", async () => {
    const gw = gatewayAnswering(
      failed("POINTS_INSUFFICIENT", { message: "100 points were asked for", pointsBalance: 40n }, paidWithPoints(100)),
    );
    const res = await gw.call("POST", "/checkout", { body: { ...body, points: 100 }, headers: KEY });
    expect(res.status).toBe(422);
    const p = await problemOf(res);
    expect(p).toMatchObject({
      type: "https://checkout-saga.dev/problems/points-insufficient",
      checkout_id: "co-1",
      code: "POINTS_INSUFFICIENT",
      requested: 100,
      balance: 40,
    });
    const replay = await gw.call("POST", "/checkout", { body: { ...body, points: 100 }, headers: KEY });
    expect([replay.status, replay.headers.get("idempotent-replayed")]).toEqual([422, "true"]);
    expect({ ...(await problemOf(replay)), request_id: undefined }).toEqual({ ...p, request_id: undefined });
  });

  it("requires an Idempotency-Key of printable ASCII, before calling the service", async () => {
    const gw = startTestGateway();
    const missing = await gw.call("POST", "/checkout", { body });
    expect(missing.status).toBe(400);
    expect((await problemOf(missing)).type).toBe("https://checkout-saga.dev/problems/idempotency-key-missing");
    const tooLong = await gw.call("POST", "/checkout", { body, headers: { "Idempotency-Key": "k".repeat(256) } });
    expect(tooLong.status).toBe(400);
    expect((await problemOf(tooLong)).type).toBe("https://checkout-saga.dev/problems/invalid-idempotency-key");
    expect(gw.seen.checkoutRequests).toHaveLength(0);
  });

  it("validates the body before calling the service", async () => {
    const gw = startTestGateway();
    const badToken = { ...body, payment_method: { type: "paypal", token: "x" } };
    const res = await gw.call("POST", "/checkout", { body: badToken, headers: KEY });
    expect(res.status).toBe(400);
    expect((await problemOf(res)).errors[0]).toEqual({
      path: "payment_method.type",
      in: "body",
      message: 'must be one of "card", "konbini", got "paypal"',
    });
    const noCountry = { ...body, shipping_address: { ...body.shipping_address, country: "Japan" } };
    const res2 = await gw.call("POST", "/checkout", { body: noCountry, headers: KEY });
    expect((await problemOf(res2)).detail).toBe("shipping_address.country: must match the pattern ^[A-Z]{2}$");
    expect(gw.seen.checkoutRequests).toHaveLength(0);
  });
});

describe("GET /checkout/{id}", () => {
  it("shows the state and the full history with plain state names and ISO times", async () => {
    const transition = (from: CheckoutStatus, to: CheckoutStatus, reason: string, second: number) =>
      create(TransitionSchema, {
        from,
        to,
        reason,
        at: timestampFromDate(new Date(Date.UTC(2026, 0, 1, 0, 0, second))),
      });
    let asked: { checkoutId: string; userId: string } | undefined;
    const gw = startTestGateway({
      services: () => ({
        checkout: {
          getCheckout(req) {
            asked = { checkoutId: req.checkoutId, userId: req.userId };
            return {
              checkout: buildCheckout({
                status: CheckoutStatus.FAILED,
                failure: create(CheckoutFailureSchema, { code: "PAYMENT_DECLINED", declineCode: "card_declined" }),
                history: [
                  transition(CheckoutStatus.UNSPECIFIED, CheckoutStatus.INITIATED, "started", 0),
                  transition(CheckoutStatus.INITIATED, CheckoutStatus.INVENTORY_RESERVED, "reserved", 1),
                  transition(CheckoutStatus.INVENTORY_RESERVED, CheckoutStatus.COMPENSATING, "declined", 2),
                  transition(CheckoutStatus.COMPENSATING, CheckoutStatus.FAILED, "released", 3),
                ],
              }),
            };
          },
        },
      }),
    });
    const res = await gw.call("GET", "/checkout/co-1", { user: "dave" });
    expect(res.status).toBe(200);
    expect(asked).toEqual({ checkoutId: "co-1", userId: "dave" });
    const json = (await res.json()) as Json;
    expect(json).toMatchObject({ checkout_id: "co-1", status: "FAILED", failure_reason: "PAYMENT_DECLINED" });
    expect(json.history[1]).toEqual({
      from: "INITIATED",
      to: "INVENTORY_RESERVED",
      reason: "reserved",
      at: "2026-01-01T00:00:01.000Z",
    });
    expect(json.history.map((h: Json) => h.to)).toEqual(["INITIATED", "INVENTORY_RESERVED", "COMPENSATING", "FAILED"]);
  });

  it("another user's checkout is a 404", async () => {
    const gw = startTestGateway({
      services: () => ({
        checkout: {
          getCheckout() {
            throw toConnectError(new DomainError("not_found", "CHECKOUT_NOT_FOUND", "no such checkout"));
          },
        },
      }),
    });
    const res = await gw.call("GET", "/checkout/co-1", { user: "mallory" });
    expect(res.status).toBe(404);
    expect((await problemOf(res)).type).toBe("https://checkout-saga.dev/problems/checkout-not-found");
  });
});
