import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { CheckoutFailedSchema } from "../gen/checkoutsaga/events/v1/events_pb.js";
import { createLogger } from "../logger.js";
import { buildEnvelope, encodeEnvelope } from "./envelope.js";
import { createInProcessEventBus } from "./in-process-bus.js";

describe("in-process bus", () => {
  it("parks an undecodable message at once and delivers the rest", async () => {
    const bus = createInProcessEventBus({ logger: createLogger("test", { level: "silent" }) });
    const seen: string[] = [];
    await bus.subscribe({ topic: "t", group: "g", handler: async (e) => void seen.push(e.eventId) });
    const good = encodeEnvelope(
      buildEnvelope({
        eventId: "e-1",
        aggregateId: "c-1",
        occurredAt: new Date(),
        payload: { case: "checkoutFailed", value: create(CheckoutFailedSchema, { checkoutId: "c-1" }) },
      }),
    );
    await bus.publish("t", [
      { key: "u", value: new Uint8Array([0xff, 0xff, 0xff]) },
      { key: "u", value: good },
    ]);
    expect(seen).toEqual(["e-1"]);
    expect(bus.deadLetters).toHaveLength(1);
    expect(bus.deadLetters[0]).toMatchObject({ group: "g", attempts: 0 });
  });

  it("delivers every topic a group reads to its one handler, telling which topic each came from", async () => {
    const bus = createInProcessEventBus({ logger: createLogger("test", { level: "silent" }) });
    const seen: string[] = [];
    const delivered: string[] = [];
    await bus.subscribe({
      topic: ["a", "b"],
      group: "g",
      handler: async (e) => void seen.push(e.eventId),
      observer: { delivered: ({ topic }) => void delivered.push(topic) },
    });
    const event = (eventId: string) =>
      encodeEnvelope(
        buildEnvelope({
          eventId,
          aggregateId: "c-1",
          occurredAt: new Date(),
          payload: { case: "checkoutFailed", value: create(CheckoutFailedSchema, { checkoutId: "c-1" }) },
        }),
      );
    await bus.publish("a", [{ key: "u", value: event("from-a") }]);
    await bus.publish("b", [{ key: "u", value: event("from-b") }]);
    await bus.publish("c", [{ key: "u", value: event("from-c") }]);
    expect(seen).toEqual(["from-a", "from-b"]);
    expect(delivered).toEqual(["a", "b"]);
  });
});
