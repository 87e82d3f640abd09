import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { CheckoutFailedSchema } from "../gen/checkoutsaga/events/v1/events_pb.js";
import { createLogger } from "../logger.js";
import { createInProcessDeadLetters } from "./dead-letters.js";
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
    const reader = createInProcessDeadLetters(bus);

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

  it("republishes a parked event to its group once the handler is fixed, and forgets it; undecodable bytes stay", async () => {
    const bus = createInProcessEventBus({ logger: createLogger("test", { level: "silent" }), maxAttempts: 2 });
    let fixed = false;
    const handled: string[] = [];
    await bus.subscribe({
      topic: "checkout-events",
      group: "orders-service",
      handler: async (event) => {
        if (!fixed) throw new Error("order lines do not match");
        handled.push(event.eventId);
      },
    });
    await bus.subscribe({ topic: "checkout-events", group: "cart-service", handler: async () => {} });
    const publish = () => bus.publish("checkout-events", [{ key: "bob", value: checkoutFailed("e-poison") }]);
    await expect(publish()).rejects.toThrow("order lines do not match");
    await publish();
    await bus.publish("checkout-events", [{ key: "alice", value: new Uint8Array([0xff, 0xff]) }]);
    const deadLetters = createInProcessDeadLetters(bus);
    expect((await deadLetters.list({ limit: 10, includeRepublished: false })).total).toBe(3);

    // Still failing: delivered again with the bus's attempts, then parked again.
    const stillPoison = await deadLetters.republish();
    expect(stillPoison.republished.map((d) => d.eventId)).toEqual(["e-poison"]);
    const parkedAgain = await deadLetters.list({ limit: 10, includeRepublished: false });
    expect(parkedAgain.deadLetters.map((d) => [d.group, d.eventId, d.attempts])).toEqual([
      ["orders-service", undefined, 0],
      ["cart-service", undefined, 0],
      ["orders-service", "e-poison", 2],
    ]);

    fixed = true;
    const sent = await deadLetters.republish();
    expect(sent.republished).toMatchObject([{ group: "orders-service", eventId: "e-poison", pending: false }]);
    expect(sent.skipped.map((d) => [d.group, d.key, d.pending])).toEqual([
      ["orders-service", "alice", true],
      ["cart-service", "alice", true],
    ]);
    expect(handled).toEqual(["e-poison"]);
    const left = await deadLetters.list({ limit: 10, includeRepublished: true });
    expect(left.deadLetters.map((d) => d.key)).toEqual(["alice", "alice"]);
  });
});
