import type { Logger } from "@checkout-saga/shared";
import type { Interceptor } from "@connectrpc/connect";
import { type CircuitBreakerSettings, type CircuitState, createCircuitBreaker } from "../domain/circuit-breaker.js";
import { circuitBreakerInterceptor } from "./circuit-breaker-interceptor.js";

export type Downstream = "cart" | "product" | "inventory" | "payment";

export const DOWNSTREAMS: readonly Downstream[] = ["cart", "product", "inventory", "payment"];

/**
 * One circuit breaker per downstream service, as interceptors for its transport; state changes
 * are logged and handed to `onChange` (metrics).
 */
export function downstreamBreakers(
  settings: CircuitBreakerSettings,
  logger: Logger,
  onChange: (downstream: Downstream, state: CircuitState) => void = () => {},
): Record<Downstream, Interceptor[]> {
  const guard = (downstream: Downstream): Interceptor[] => {
    const breaker = createCircuitBreaker(settings, Date.now, (state) => {
      onChange(downstream, state);
      if (state === "open") logger.warn({ downstream, cooldownMs: settings.cooldownMs }, "circuit opened");
      else logger.info({ downstream, state }, "circuit state changed");
    });
    return [circuitBreakerInterceptor(downstream, breaker)];
  };
  return { cart: guard("cart"), product: guard("product"), inventory: guard("inventory"), payment: guard("payment") };
}
