import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { CheckoutFailedSchema } from "../gen/checkoutsaga/events/v1/events_pb.js";
import { createLogger } from "../logger.js";
import { createInProcessDeadLetterReader } from "./dead-letter-reader.js";
import { buildEnvelope, encodeEnvelope } from "./envelope.js";
import { createInProcessEventBus } from "./in-process-bus.js";

const checkoutFailed = (eventId: string) =>
  encodeEnvelope(
    buildEnvelope({
      eventId,
      aggregateId: "c-1",
      occurredAt: new Date(),
      payload: { case: "checkoutFailed", value: create(CheckoutFailedSchema, { checkoutId: "c-1" }) },
    }),
  );

describe("the in-process dead-letter reader", () => {
  it("lists what the bus parked, oldest first, decoded as far as it decodes, up to the limit", async () => {
    const bus = createInProcessEventBus({ logger: createLogger("test", { level: "silent" }), maxAttempts: 1 });
    await bus.subscribe({
      topic: "checkout-events",
      group: "orders-service",
      handler: async (event) => {
        if (event.eventId === "e-poison") throw new Error("order lines do not match");
      },
    });
    const before = new Date();
    await bus.publish("checkout-events", [{ key: "alice", value: new Uint8Array([0xff, 0xff]) }]);
    await bus.publish("checkout-events", [{ key: "bob", value: checkoutFailed("e-poison") }]);
    await bus.publish("checkout-events", [{ key: "carol", value: checkoutFailed("e-fine") }]);
    const reader = createInProcessDeadLetterReader(bus);

    const all = await reader.list({ limit: 10, includeRepublished: false });
    expect(all.total).toBe(2);
    expect(all.deadLetters).toMatchObject([
      { topic: "checkout-events", key: "alice", group: "orders-service", attempts: 0, pending: true },
      {
        topic: "checkout-events",
        key: "bob",
        eventId: "e-poison",
        eventType: "CheckoutFailed",
        group: "orders-service",
        error: "Error: order lines do not match",
        attempts: 1,
        pending: true,
      },
    ]);
    expect(all.deadLetters[0]?.eventId).toBeUndefined();
    expect(all.deadLetters[0]?.error).toMatch(/./);
    for (const d of all.deadLetters) {
      expect(d.position).toBeUndefined();
      expect(d.parkedAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
    }

    const first = await reader.list({ limit: 1, includeRepublished: false });
    expect(first.total).toBe(2);
    expect(first.deadLetters.map((d) => d.key)).toEqual(["alice"]);
  });
});
