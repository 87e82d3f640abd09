import {
  type CircuitBreakerSettings,
  type CircuitState,
  circuitBreakerInterceptor,
  createDownstreamBreaker,
  type Logger,
} from "@checkout-saga/shared";
import type { Interceptor } from "@connectrpc/connect";

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
    const breaker = createDownstreamBreaker(settings, (state) => {
      onChange(downstream, state);
      if (state === "open") logger.warn({ downstream, cooldownMs: settings.cooldownMs }, "circuit opened");
      else logger.info({ downstream, state }, "circuit state changed");
    });
    return [circuitBreakerInterceptor(downstream, breaker)];
  };
  return { cart: guard("cart"), product: guard("product"), inventory: guard("inventory"), payment: guard("payment") };
}
