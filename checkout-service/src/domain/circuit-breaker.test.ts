import { describe, expect, it } from "vitest";
import { type CircuitState, createCircuitBreaker } from "./circuit-breaker.js";

function breakerWithClock(settings = { failureThreshold: 3, cooldownMs: 1_000 }) {
  const clock = { ms: 0 };
  const changes: CircuitState[] = [];
  const breaker = createCircuitBreaker(
    settings,
    () => clock.ms,
    (s) => changes.push(s),
  );
  /** Makes one call through the breaker: false when it failed fast. */
  const call = (outcome: "success" | "failure") => {
    const admission = breaker.admit();
    if (!admission) return false;
    breaker.settle(admission, outcome);
    return true;
  };
  return { breaker, clock, changes, call };
}

describe("circuit breaker", () => {
  it("stays closed while failures are not consecutive", () => {
    const { breaker, call } = breakerWithClock();
    for (let i = 0; i < 5; i++) {
      call("failure");
      call("failure");
      call("success");
    }
    expect(breaker.state).toBe("closed");
  });

  it("opens after the threshold of consecutive failures and then fails fast", () => {
    const { breaker, call, clock } = breakerWithClock();
    call("failure");
    call("failure");
    expect(breaker.state).toBe("closed");
    call("failure");
    expect(breaker.state).toBe("open");
    clock.ms = 999;
    expect(breaker.admit()).toBeUndefined();
    expect(call("success")).toBe(false);
  });

  it("lets exactly one trial through once the cooldown passed", () => {
    const { breaker, call, clock } = breakerWithClock();
    for (let i = 0; i < 3; i++) call("failure");
    clock.ms = 1_000;
    expect(breaker.state).toBe("half-open");
    expect(breaker.admit()).toBe("trial");
    expect(breaker.admit()).toBeUndefined();
  });

  it("closes when the trial succeeds", () => {
    const { breaker, call, clock, changes } = breakerWithClock();
    for (let i = 0; i < 3; i++) call("failure");
    clock.ms = 1_500;
    expect(call("success")).toBe(true);
    expect(breaker.state).toBe("closed");
    expect(breaker.admit()).toBe("call");
    expect(changes).toEqual(["open", "half-open", "closed"]);
  });

  it("opens for a fresh cooldown when the trial fails", () => {
    const { breaker, call, clock } = breakerWithClock();
    for (let i = 0; i < 3; i++) call("failure");
    clock.ms = 1_000;
    expect(call("failure")).toBe(true);
    expect(breaker.state).toBe("open");
    clock.ms = 1_999;
    expect(breaker.admit()).toBeUndefined();
    clock.ms = 2_000;
    expect(breaker.admit()).toBe("trial");
  });

  it("ignores late answers of calls admitted before it opened", () => {
    const { breaker, call, clock } = breakerWithClock();
    const late = breaker.admit();
    for (let i = 0; i < 3; i++) call("failure");
    if (!late) throw new Error("expected a call admission");
    breaker.settle(late, "success");
    expect(breaker.state).toBe("open");
    clock.ms = 1_000;
    const trial = breaker.admit();
    breaker.settle(late, "failure");
    expect(breaker.state).toBe("half-open");
    if (!trial) throw new Error("expected a trial admission");
    breaker.settle(trial, "success");
    expect(breaker.state).toBe("closed");
  });

  it("counts failures afresh after closing", () => {
    const { breaker, call, clock } = breakerWithClock();
    for (let i = 0; i < 3; i++) call("failure");
    clock.ms = 1_000;
    call("success");
    call("failure");
    call("failure");
    expect(breaker.state).toBe("closed");
    call("failure");
    expect(breaker.state).toBe("open");
  });
});
