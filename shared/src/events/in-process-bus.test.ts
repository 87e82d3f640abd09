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
});
