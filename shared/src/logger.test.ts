import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { withLogContext } from "./log-context.js";
import { createLogger, resolveLogFormat } from "./logger.js";

/** A logger writing JSON lines into an array. */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const logger = createLogger("test-service", { level: "debug", format: "json", destination });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("createLogger", () => {
  it("adds the request, user and checkout ids of the context to every line", async () => {
    const { logger, parsed } = capture();
    await withLogContext({ requestId: "req-1" }, async () => {
      logger.info("received");
      await withLogContext({ userId: "user-7" }, async () => {
        await new Promise((r) => setTimeout(r, 1));
        await withLogContext({ checkoutId: "co-42" }, async () => logger.child({ step: "reserve" }).warn("driving"));
      });
    });
    logger.info("outside");

    const [received, driving, outside] = parsed();
    expect(received).toMatchObject({ service: "test-service", request_id: "req-1", msg: "received" });
    expect(received).not.toHaveProperty("user_id");
    expect(driving).toMatchObject({
      service: "test-service",
      request_id: "req-1",
      user_id: "user-7",
      checkout_id: "co-42",
      step: "reserve",
    });
    expect(outside).not.toHaveProperty("request_id");
  });

  it("never writes tokens, authorization headers or card tokens, however nested", () => {
    const { logger, lines } = capture();
    const secrets = ["Bearer eyJsecret", "tok_visa_secret", "card_tok_secret", "raw-token-secret"];
    logger.info({ authorization: secrets[0], token: secrets[3] }, "top level");
    logger.info({ req: { headers: { authorization: secrets[0] } } }, "request headers");
    logger.info({ request: { paymentMethod: { token: secrets[1] } } }, "rpc request");
    logger.info({ body: { payment_method: { type: "card", token: secrets[1] } } }, "rest body");
    logger.info({ checkout: { payment: { cardToken: secrets[2], card_token: secrets[2] } } }, "nested card");
    logger.error({ err: { details: { token: secrets[3] } } }, "error");

    expect(lines).toHaveLength(6);
    for (const line of lines) for (const secret of secrets) expect(line).not.toContain(secret);
    expect(lines.join("\n")).toContain("[redacted]");
    expect(JSON.parse(lines[3]!).body.payment_method.type).toBe("card");
  });
});

describe("resolveLogFormat", () => {
  it("is pretty on a development terminal and JSON elsewhere unless LOG_FORMAT says", () => {
    expect(resolveLogFormat(undefined, { isTTY: true, nodeEnv: undefined })).toBe("pretty");
    expect(resolveLogFormat(undefined, { isTTY: true, nodeEnv: "production" })).toBe("json");
    expect(resolveLogFormat(undefined, { isTTY: false, nodeEnv: "development" })).toBe("json");
    expect(resolveLogFormat("pretty", { isTTY: false, nodeEnv: "production" })).toBe("pretty");
    expect(resolveLogFormat("json", { isTTY: true, nodeEnv: undefined })).toBe("json");
    expect(() => resolveLogFormat("xml", { isTTY: true, nodeEnv: undefined })).toThrow(/LOG_FORMAT/);
  });
});
