import { describe, expect, it } from "vitest";
import { ConfigError } from "../config.js";
import { parseKafkaSasl } from "./kafka-wiring.js";

const none = { mechanism: undefined, username: undefined, password: undefined };

describe("parseKafkaSasl", () => {
  it("is anonymous when nothing is set", () => {
    expect(parseKafkaSasl(none)).toBeUndefined();
  });

  it("defaults to SCRAM-SHA-256 and takes the mechanism in either case", () => {
    expect(parseKafkaSasl({ ...none, username: "orders-service", password: "s3cret" })).toEqual({
      mechanism: "scram-sha-256",
      username: "orders-service",
      password: "s3cret",
    });
    expect(parseKafkaSasl({ mechanism: "SCRAM-SHA-512", username: "u", password: "p" })?.mechanism).toBe(
      "scram-sha-512",
    );
    expect(parseKafkaSasl({ mechanism: "plain", username: "u", password: "p" })?.mechanism).toBe("plain");
  });

  it.each([
    [{ ...none, username: "u" }, /KAFKA_PASSWORD is required/],
    [{ ...none, password: "hunter2" }, /KAFKA_USERNAME is required/],
    [{ ...none, mechanism: "plain" }, /KAFKA_USERNAME and KAFKA_PASSWORD are required/],
    [{ mechanism: "gssapi", username: "u", password: "hunter2" }, /KAFKA_SASL_MECHANISM must be one of/],
  ])("refuses an incomplete or unknown setting: %o", (raw, message) => {
    const attempt = () => parseKafkaSasl(raw);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
    // A password never ends up in a message (logs, terminals).
    expect(attempt).toThrow(/^((?!hunter2).)*$/s);
  });
});
