import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState as CockatielState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
} from "cockatiel";
import { isRetryable } from "../errors.js";

export type CircuitState = "closed" | "open" | "half-open";

export interface CircuitBreakerSettings {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit fails calls fast before it lets one trial call through. */
  cooldownMs: number;
}

const CIRCUIT_OPEN = "circuit-open";

/** The error of a call refused without being sent: the downstream's circuit is open. */
export const circuitOpenError = (downstream: string): ConnectError =>
  new ConnectError(`the ${downstream} service is failing; calls to it are paused (circuit open)`, Code.Unavailable, {
    [CIRCUIT_OPEN]: downstream,
  });

/**
 * Whether `err` is a refusal by an open circuit. (Marked in metadata: ConnectError's instanceof
 * accepts any ConnectError for a subclass, so a subclass could not tell.)
 */
export const isCircuitOpen = (err: unknown): boolean =>
  err instanceof BrokenCircuitError || (err instanceof ConnectError && err.metadata.has(CIRCUIT_OPEN));

/**
 * Failures that say the downstream is unwell: unreachable, too slow, overloaded. An answer
 * (OUT_OF_STOCK, a decline, even Aborted for a conflict) shows it is up, and so says nothing
 * against it; our own cancellation (the service stopping) says nothing either.
 */
export const countsAgainstDownstream = (err: unknown): boolean => {
  const code = ConnectError.from(err).code;
  return isRetryable(err) && code !== Code.Aborted && code !== Code.Canceled;
};

/** A downstream's breaker: cockatiel's consecutive-failure circuit, with its state as we name it. */
export interface DownstreamBreaker {
  readonly state: CircuitState;
  readonly policy: CircuitBreakerPolicy;
}

const STATE_NAMES: Record<CockatielState, CircuitState> = {
  [CockatielState.Closed]: "closed",
  [CockatielState.HalfOpen]: "half-open",
  [CockatielState.Open]: "open",
  [CockatielState.Isolated]: "open",
};

/**
 * Closed: calls go through and consecutive failures are counted. At `failureThreshold` it opens:
 * calls fail fast for `cooldownMs`. Then one trial call goes through (calls meanwhile wait for
 * it); its success closes the circuit, its failure opens it for another cooldown.
 */
export function createDownstreamBreaker(
  settings: CircuitBreakerSettings,
  onChange: (state: CircuitState) => void = () => {},
): DownstreamBreaker {
  const policy = circuitBreaker(handleWhen(countsAgainstDownstream), {
    halfOpenAfter: settings.cooldownMs,
    breaker: new ConsecutiveBreaker(settings.failureThreshold),
  });
  policy.onStateChange((state) => onChange(STATE_NAMES[state]));
  return {
    get state() {
      return STATE_NAMES[policy.state];
    },
    policy,
  };
}

/** An answer that is an error: carried past the breaker so it counts as a sign of life. */
class Answered {
  constructor(readonly error: unknown) {}
}

/** Puts every call of a transport through `breaker`: fails fast (circuitOpenError) while it is open. */
export function circuitBreakerInterceptor(downstream: string, breaker: DownstreamBreaker): Interceptor {
  return (next) => async (req) => {
    let outcome: Awaited<ReturnType<typeof next>> | Answered;
    try {
      outcome = await breaker.policy.execute(async () => {
        try {
          return await next(req);
        } catch (err) {
          if (countsAgainstDownstream(err)) throw err;
          return new Answered(err);
        }
      }, req.signal);
    } catch (err) {
      if (err instanceof BrokenCircuitError) throw circuitOpenError(downstream);
      throw err;
    }
    if (outcome instanceof Answered) throw outcome.error;
    return outcome;
  };
}
