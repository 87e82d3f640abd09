import { describe, expect, it } from "vitest";
import { pickLatencyMs } from "./latency.js";

describe("pickLatencyMs", () => {
  it("returns a fixed latency whatever the draw", () => {
    expect(pickLatencyMs({ min: 250, max: 250 }, () => 0.7)).toBe(250);
  });

  it("spans a range inclusively", () => {
    expect(pickLatencyMs({ min: 1000, max: 2000 }, () => 0)).toBe(1000);
    expect(pickLatencyMs({ min: 1000, max: 2000 }, () => 0.5)).toBe(1500);
    expect(pickLatencyMs({ min: 1000, max: 2000 }, () => 0.999_999_9)).toBe(2000);
  });

  it("is zero by default", () => {
    expect(pickLatencyMs({ min: 0, max: 0 }, Math.random)).toBe(0);
  });
});
