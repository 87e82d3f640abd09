export type CircuitState = "closed" | "open" | "half-open";

export interface CircuitBreakerSettings {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit fails calls fast before it lets one trial call through. */
  cooldownMs: number;
}

/** Leave to make a call: an ordinary one, or the single trial of a half-open circuit. */
export type Admission = "call" | "trial";

/**
 * A circuit breaker for one downstream. Closed: calls go through and consecutive failures are
 * counted. At `failureThreshold` it opens: calls fail fast for `cooldownMs`. Then it is
 * half-open: one trial call goes through (the others still fail fast); its success closes the
 * circuit, its failure opens it for another cooldown. The caller decides what counts as a failure.
 */
export interface CircuitBreaker {
  readonly state: CircuitState;
  /** Leave to call now, or undefined: fail fast without calling. */
  admit(): Admission | undefined;
  /** How an admitted call went. */
  settle(admission: Admission, outcome: "success" | "failure"): void;
}

export function createCircuitBreaker(
  settings: CircuitBreakerSettings,
  now: () => number,
  onChange: (state: CircuitState) => void = () => {},
): CircuitBreaker {
  let state: CircuitState = "closed";
  let failures = 0;
  let openedAt = 0;
  let trialOut = false;

  const moveTo = (next: CircuitState) => {
    if (next === state) return;
    state = next;
    onChange(next);
  };
  const open = () => {
    openedAt = now();
    trialOut = false;
    moveTo("open");
  };
  /** An open circuit becomes half-open once its cooldown has passed. */
  const current = (): CircuitState => {
    if (state === "open" && now() - openedAt >= settings.cooldownMs) moveTo("half-open");
    return state;
  };

  return {
    get state() {
      return current();
    },
    admit() {
      switch (current()) {
        case "closed":
          return "call";
        case "open":
          return undefined;
        case "half-open":
          if (trialOut) return undefined;
          trialOut = true;
          return "trial";
      }
    },
    settle(admission, outcome) {
      if (admission === "trial") {
        if (outcome === "success") {
          failures = 0;
          trialOut = false;
          moveTo("closed");
        } else {
          open();
        }
        return;
      }
      // A call admitted while closed that ends after the circuit opened tells nothing new.
      if (state !== "closed") return;
      if (outcome === "success") {
        failures = 0;
      } else if (++failures >= settings.failureThreshold) {
        failures = 0;
        open();
      }
    },
  };
}
