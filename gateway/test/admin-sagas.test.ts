import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { DomainError, toConnectError } from "@checkout-saga/shared";
import {
  CheckoutStatus,
  type GetCheckoutRequest,
  type ListCheckoutEventsRequest,
  type ListCheckoutsRequest,
  type ListDeadLettersRequest,
  ListDeadLettersResponseSchema,
  RepublishDeadLettersResponseSchema,
  type RetryCheckoutRequest,
  RetryCheckoutResponseSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { OutboxEventSchema } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/common_pb";
import type { ListCancellationsRequest } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { as, buildCheckout, devToken, type FakeServices, type Json, problemOf, startTestGateway } from "./fixture.js";

/*
 * The operators' checkout routes in front of a checkout service that records what it was asked:
 * the admin guard, the query as the RPC request it becomes (enum and boolean parameters
 * included), the operator's shape of a checkout, and the service's refusals as problems.
 */

const checkoutCompletedRow = create(OutboxEventSchema, {
  id: "42",
  eventId: "5b1f0c1e-7a51-4f5e-9c8b-0d4e3f2a1b6c",
  eventType: "CheckoutCompleted",
  topic: "checkout-events",
  key: "bob",
  createdAt: timestampFromDate(new Date("2026-01-01T00:00:00Z")),
});

function gatewayRecording() {
  const listed: ListCheckoutsRequest[] = [];
  const retried: RetryCheckoutRequest[] = [];
  const read: GetCheckoutRequest[] = [];
  const eventsAsked: ListCheckoutEventsRequest[] = [];
  const gateway = startTestGateway({
    services: () => ({
      checkout: {
        listCheckoutEvents(req) {
          eventsAsked.push(req);
          return { events: [checkoutCompletedRow] };
        },
        replayCheckoutEvents() {
          return { requeued: [checkoutCompletedRow] };
        },
        getCheckout(req) {
          read.push(req);
          const stuck = buildCheckout({ status: CheckoutStatus.COMPENSATING });
          return { checkout: { ...stuck, checkoutId: req.checkoutId, userId: "bob", paymentId: "p-1" } };
        },
        listCheckouts(req) {
          listed.push(req);
          const stuck = buildCheckout({ status: CheckoutStatus.COMPENSATING });
          return {
            checkouts: [{ ...stuck, userId: "bob", needsAttention: true, reservationId: "r-1" }],
            nextPageToken: "",
          };
        },
        retryCheckout(req) {
          retried.push(req);
          if (req.checkoutId.startsWith("0")) {
            throw toConnectError(
              new DomainError("failed_precondition", "CHECKOUT_FINISHED", `checkout ${req.checkoutId} is COMPLETED`),
            );
          }
          return create(RetryCheckoutResponseSchema, {
            checkout: { ...buildCheckout({ status: CheckoutStatus.FAILED }), checkoutId: req.checkoutId },
          });
        },
      },
    }),
  });
  return { gateway, listed, retried, read, eventsAsked };
}

describe("GET /admin/checkouts", () => {
  it("lists every user's checkouts for an admin, filtered by state, user and attention", async () => {
    const { gateway, listed } = gatewayRecording();
    const admin = await devToken(gateway, "ops", ["admin"]);
    const res = await gateway.call(
      "GET",
      "/admin/checkouts?status=COMPENSATING&needs_attention=true&user_id=bob",
      as(admin),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.items).toMatchObject([
      { user_id: "bob", status: "COMPENSATING", needs_attention: true, reservation_id: "r-1", step_mode: false },
    ]);
    expect(body.next_page_token).toBeNull();
    expect(listed.map((r) => [r.status, r.needsAttention, r.userId])).toEqual([
      [CheckoutStatus.COMPENSATING, true, "bob"],
    ]);
  });

  it("refuses a customer (403) and parameters the document does not allow (400), asking nothing", async () => {
    const { gateway, listed } = gatewayRecording();
    const customer = await devToken(gateway, "alice");
    const refused = await gateway.call("GET", "/admin/checkouts", as(customer));
    expect(refused.status).toBe(403);
    expect((await problemOf(refused)).type).toMatch(/admin-role-required$/);

    const admin = await devToken(gateway, "ops", ["admin"]);
    for (const query of [
      "status=CHECKOUT_STATUS_FAILED",
      "status=UNSPECIFIED",
      "status=failed",
      "needs_attention=yes",
    ]) {
      const res = await gateway.call("GET", `/admin/checkouts?${query}`, as(admin));
      expect([query, res.status]).toEqual([query, 400]);
    }
    expect(listed).toEqual([]);
  });
});

describe("GET /admin/checkouts/{id}", () => {
  it("reads any user's checkout for an admin, with its history and saga ids; a customer is refused", async () => {
    const { gateway, read } = gatewayRecording();
    const id = "9b9a3c1e-6f1f-4c0e-9d7e-2b7d8a1f5c42";
    const res = await gateway.call("GET", `/admin/checkouts/${id}`, as(await devToken(gateway, "ops", ["admin"])));
    expect(res.status).toBe(200);
    expect((await res.json()) as Json).toMatchObject({
      checkout_id: id,
      user_id: "bob",
      payment_id: "p-1",
      history: [],
    });
    expect(read.map((r) => [r.checkoutId, r.userId])).toEqual([[id, ""]]);

    const customer = await devToken(gateway, "alice");
    expect((await gateway.call("GET", `/admin/checkouts/${id}`, as(customer))).status).toBe(403);
    expect(read).toHaveLength(1);
  });
});

describe("GET /admin/checkouts/{id}/events and POST …/events/replay", () => {
  it("shows an admin one checkout's outbox rows, pending ones with no published_at, and replays them", async () => {
    const { gateway, eventsAsked } = gatewayRecording();
    const admin = await devToken(gateway, "ops", ["admin"]);
    const id = "9b9a3c1e-6f1f-4c0e-9d7e-2b7d8a1f5c42";
    const res = await gateway.call("GET", `/admin/checkouts/${id}/events`, as(admin));
    expect(res.status).toBe(200);
    const expected = {
      id: "42",
      event_type: "CheckoutCompleted",
      key: "bob",
      created_at: "2026-01-01T00:00:00.000Z",
      published_at: null,
    };
    expect((await res.json()) as Json).toMatchObject({ items: [expected] });
    expect(eventsAsked.map((r) => r.checkoutId)).toEqual([id]);
    const replay = await gateway.call("POST", `/admin/checkouts/${id}/events/replay`, as(admin));
    expect(replay.status).toBe(200);
    expect((await replay.json()) as Json).toMatchObject({ items: [expected] });

    const customer = await devToken(gateway, "alice");
    expect((await gateway.call("POST", `/admin/checkouts/${id}/events/replay`, as(customer))).status).toBe(403);
  });
});

describe("POST /admin/checkouts/{id}/retry", () => {
  it("answers the checkout as the drive left it, with its history; a finished one is a 409 problem", async () => {
    const { gateway, retried } = gatewayRecording();
    const admin = await devToken(gateway, "ops", ["admin"]);
    const id = "9b9a3c1e-6f1f-4c0e-9d7e-2b7d8a1f5c42";
    const res = await gateway.call("POST", `/admin/checkouts/${id}/retry`, as(admin));
    expect(res.status).toBe(200);
    expect((await res.json()) as Json).toMatchObject({ checkout_id: id, status: "FAILED", history: [] });

    const finished = await gateway.call(
      "POST",
      "/admin/checkouts/0b9a3c1e-6f1f-4c0e-9d7e-2b7d8a1f5c42/retry",
      as(admin),
    );
    expect(finished.status).toBe(409);
    expect((await problemOf(finished)).type).toMatch(/checkout-finished$/);
    expect(retried.map((r) => r.checkoutId)).toEqual([id, "0b9a3c1e-6f1f-4c0e-9d7e-2b7d8a1f5c42"]);

    const customer = await devToken(gateway, "alice");
    expect((await gateway.call("POST", `/admin/checkouts/${id}/retry`, as(customer))).status).toBe(403);
    expect(retried).toHaveLength(2);
  });
});

describe("GET /admin/outbox", () => {
  it("shows each outbox's figures, and a service that does not answer as an error beside them", async () => {
    const ordersAnswering = (defaults: FakeServices) => ({
      ...defaults.orders,
      getOutboxStatus: () => ({ status: { topic: "order-events", lastPublishedId: "42", publishedLast5Minutes: 3n } }),
    });
    const answering = startTestGateway({
      services: (defaults) => ({
        checkout: {
          getOutboxStatus: () => ({
            status: { topic: "checkout-events", pending: 2n, oldestPendingAgeSeconds: 1.5, publishedLastMinute: 7n },
          }),
        },
        orders: ordersAnswering(defaults),
      }),
    });
    const admin = await devToken(answering, "ops", ["admin"]);
    const res = await answering.call("GET", "/admin/outbox", as(admin));
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).outboxes).toEqual([
      {
        service: "checkout-service",
        topic: "checkout-events",
        pending: 2,
        oldest_pending_at: null,
        oldest_pending_age_seconds: null,
        last_published_id: null,
        last_published_at: null,
        published_last_minute: 7,
        published_last_5_minutes: 0,
      },
      {
        service: "orders-service",
        topic: "order-events",
        pending: 0,
        oldest_pending_at: null,
        oldest_pending_age_seconds: null,
        last_published_id: "42",
        last_published_at: null,
        published_last_minute: 0,
        published_last_5_minutes: 3,
      },
    ]);

    const down = startTestGateway({
      services: (defaults) => ({
        checkout: {
          getOutboxStatus() {
            throw new ConnectError("checkout-service is unavailable", Code.Unavailable);
          },
        },
        orders: ordersAnswering(defaults),
      }),
    });
    const answer = await down.call("GET", "/admin/outbox", as(await devToken(down, "ops", ["admin"])));
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as Json).outboxes).toMatchObject([
      { service: "checkout-service", error: "checkout-service is unavailable" },
      { service: "orders-service", topic: "order-events", last_published_id: "42" },
    ]);
    expect((await down.call("GET", "/admin/outbox", as(await devToken(down, "alice")))).status).toBe(403);
  });
});

describe("GET /admin/cancellations and POST /admin/cancellations/{id}/retry", () => {
  it("lists cancellations by state and attention, and maps a finished one's retry to a 409 problem", async () => {
    const listed: ListCancellationsRequest[] = [];
    const gateway = startTestGateway({
      services: (defaults) => ({
        orders: {
          ...defaults.orders,
          listCancellations(req) {
            listed.push(req);
            return {
              cancellations: [
                {
                  cancellationId: "c-1",
                  status: "REFUNDED",
                  orderId: "o-1",
                  userId: "bob",
                  needsAttention: true,
                  refund: { currency: "USD", amountMinor: 2999n },
                },
              ],
              nextPageToken: "",
            };
          },
          getCancellation(req) {
            const at = timestampFromDate(new Date("2026-01-02T00:00:00Z"));
            return {
              cancellation: {
                cancellationId: req.cancellationId,
                status: "REFUNDED",
                userId: "bob",
                history: [
                  { from: "", to: "REQUESTED", reason: "requested", at },
                  { from: "REQUESTED", to: "REFUNDED", reason: "refunded", at },
                ],
              },
            };
          },
          retryCancellation(req) {
            throw toConnectError(
              new DomainError("failed_precondition", "CANCELLATION_FINISHED", `${req.cancellationId} is COMPLETED`),
            );
          },
        },
      }),
    });
    const admin = await devToken(gateway, "ops", ["admin"]);
    const res = await gateway.call("GET", "/admin/cancellations?status=REFUNDED&needs_attention=true", as(admin));
    expect(res.status).toBe(200);
    const listedItems = ((await res.json()) as Json).items;
    expect(listedItems).toMatchObject([
      { cancellation_id: "c-1", order_id: "o-1", user_id: "bob", needs_attention: true, failure_reason: null },
    ]);
    expect(listedItems[0].history).toBeUndefined();
    expect(listed.map((r) => [r.status, r.needsAttention])).toEqual([["REFUNDED", true]]);
    expect((await gateway.call("GET", "/admin/cancellations?status=DONE", as(admin))).status).toBe(400);
    expect(listed).toHaveLength(1);

    const one = await gateway.call("GET", "/admin/cancellations/1c9e6a52-9f3b-4a57-8e1f-0d2a6b3c4d5e", as(admin));
    expect(one.status).toBe(200);
    expect(((await one.json()) as Json).history).toEqual([
      { from: null, to: "REQUESTED", reason: "requested", at: "2026-01-02T00:00:00.000Z" },
      { from: "REQUESTED", to: "REFUNDED", reason: "refunded", at: "2026-01-02T00:00:00.000Z" },
    ]);

    const retried = await gateway.call(
      "POST",
      "/admin/cancellations/1c9e6a52-9f3b-4a57-8e1f-0d2a6b3c4d5e/retry",
      as(admin),
    );
    expect(retried.status).toBe(409);
    expect((await problemOf(retried)).type).toMatch(/cancellation-finished$/);
    expect((await gateway.call("GET", "/admin/cancellations", as(await devToken(gateway, "alice")))).status).toBe(403);
  });
});

describe("GET /admin/dead-letters", () => {
  it("shows an admin the poison message a consumer parked; a customer is refused and nothing is asked", async () => {
    const asked: ListDeadLettersRequest[] = [];
    const gateway = startTestGateway({
      services: () => ({
        checkout: {
          listDeadLetters(req) {
            asked.push(req);
            return create(ListDeadLettersResponseSchema, {
              deadLetters: [
                {
                  topic: "checkout-events",
                  position: { topic: "checkout-events.dlq", partition: 0, offset: 17n },
                  key: "alice",
                  consumerGroup: "orders-service",
                  error: "undecodable: premature EOF",
                  parkedAt: timestampFromDate(new Date("2026-11-30T08:00:00.000Z")),
                  pending: true,
                },
              ],
              total: 3n,
            });
          },
        },
      }),
    });

    const customer = await devToken(gateway, "alice");
    const refused = await gateway.call("GET", "/admin/dead-letters", as(customer));
    expect(refused.status).toBe(403);
    expect((await problemOf(refused)).type).toMatch(/admin-role-required$/);
    expect(asked).toEqual([]);

    const admin = await devToken(gateway, "ops", ["admin"]);
    const res = await gateway.call("GET", "/admin/dead-letters?limit=1&include_republished=true", as(admin));
    expect(res.status).toBe(200);
    expect((await res.json()) as Json).toEqual({
      items: [
        {
          topic: "checkout-events",
          position: { topic: "checkout-events.dlq", partition: 0, offset: 17 },
          key: "alice",
          event_id: null,
          event_type: null,
          consumer_group: "orders-service",
          error: "undecodable: premature EOF",
          attempts: 0,
          parked_at: "2026-11-30T08:00:00.000Z",
          pending: true,
        },
      ],
      total: 3,
    });
    expect(asked.map((r) => [r.pageSize, r.includeRepublished])).toEqual([[1, true]]);

    const tooMany = await gateway.call("GET", "/admin/dead-letters?limit=101", as(admin));
    expect(tooMany.status).toBe(400);
    expect(tooMany.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(asked).toHaveLength(1);
  });
});

describe("POST /admin/dead-letters/republish", () => {
  it("sends an admin's dead letters back and answers what went and what was skipped; a customer is refused", async () => {
    let asked = 0;
    const parked = {
      topic: "checkout-events",
      key: "bob",
      consumerGroup: "orders-service",
      error: "Error: order lines do not match",
      attempts: 5,
      parkedAt: timestampFromDate(new Date("2026-11-30T08:00:00.000Z")),
    };
    const gateway = startTestGateway({
      services: () => ({
        checkout: {
          republishDeadLetters() {
            asked++;
            return create(RepublishDeadLettersResponseSchema, {
              republished: [{ ...parked, eventId: "e-1", eventType: "CheckoutCompleted" }],
              skipped: [{ ...parked, key: "alice", attempts: 0 }],
            });
          },
        },
      }),
    });

    const customer = await devToken(gateway, "alice");
    const refused = await gateway.call("POST", "/admin/dead-letters/republish", as(customer));
    expect(refused.status).toBe(403);
    expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(asked).toBe(0);

    const admin = await devToken(gateway, "ops", ["admin"]);
    const res = await gateway.call("POST", "/admin/dead-letters/republish", as(admin));
    expect(res.status).toBe(200);
    const common = {
      topic: "checkout-events",
      position: null,
      consumer_group: "orders-service",
      error: "Error: order lines do not match",
      parked_at: "2026-11-30T08:00:00.000Z",
      pending: false,
    };
    expect((await res.json()) as Json).toEqual({
      republished: [{ ...common, key: "bob", event_id: "e-1", event_type: "CheckoutCompleted", attempts: 5 }],
      skipped: [{ ...common, key: "alice", event_id: null, event_type: null, attempts: 0 }],
    });
    expect(asked).toBe(1);
  });
});
