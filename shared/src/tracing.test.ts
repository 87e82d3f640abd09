import { Writable } from "node:stream";
import { create } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEnvelope } from "./events/envelope.js";
import { CheckoutFailedSchema } from "./gen/checkoutsaga/events/v1/events_pb.js";
import { createLogger } from "./logger.js";
import { InMemorySpanExporter } from "./testing/index.js";
import { currentTraceContext, inSpan, startTracing, type Tracing, tracedEventHandler, tracer } from "./tracing.js";

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
beforeAll(() => {
  tracing = startTracing({ serviceName: "tracing-unit", exporter });
});
afterAll(() => tracing.stop());

const testTracer = tracer("tracing-test");

describe("tracing", () => {
  it("puts the active span's trace id on log lines, and none outside a span", async () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const l of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    const logger = createLogger("svc", { format: "json", destination });
    const traceId = await inSpan("work", { tracer: testTracer }, async (span) => {
      logger.info("inside");
      return span.spanContext().traceId;
    });
    logger.info("outside");
    expect(lines[0]).toMatchObject({ msg: "inside", trace_id: traceId });
    expect(lines[1]).not.toHaveProperty("trace_id");
  });

  it("runs an event's handler in a consumer span continuing the trace the envelope carries", async () => {
    const { traceId, traceparent } = await inSpan("write event", { tracer: testTracer }, async (span) => ({
      traceId: span.spanContext().traceId,
      traceparent: currentTraceContext().traceparent,
    }));
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const event = buildEnvelope({
      eventId: "e-1",
      aggregateId: "co-1",
      occurredAt: new Date(),
      traceparent,
      payload: { case: "checkoutFailed", value: create(CheckoutFailedSchema, { checkoutId: "co-1" }) },
    });
    let seen: string | undefined;
    await tracedEventHandler("test-group", async () => {
      seen = currentTraceContext().traceparent;
    })(event);
    const consumer = exporter.getFinishedSpans().find((s) => s.name === "CheckoutFailed process");
    expect(consumer?.spanContext().traceId).toBe(traceId);
    expect(consumer?.attributes["messaging.consumer.group.name"]).toBe("test-group");
    expect(seen?.split("-")[1]).toBe(traceId);
  });
});
