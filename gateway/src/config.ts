import { ConfigError, defaultPorts, envReader } from "@checkout-saga/shared";

/** The secret dev mode falls back to; never acceptable once dev tokens are off. */
export const DEV_JWT_SECRET = "dev-secret-change-me";

export interface GatewayConfig {
  port: number;
  /** Interface the HTTP server binds to. */
  host: string;
  /** Base URLs of the Connect services the gateway calls. */
  serviceUrls: {
    product: string;
    cart: string;
    inventory: string;
    checkout: string;
    orders: string;
  };
  /** HS256 secret for bearer tokens. */
  jwtSecret: string;
  /** True when the secret is the built-in dev default (start-up logs a warning). */
  usesDevJwtSecret: boolean;
  /** Mounts POST /api/v1/dev/token. */
  devTokens: boolean;
  /** Requests per minute per user and per client address; 0 turns limiting off. */
  rateLimitPerMinute: number;
  /** Deadline for one REST request, spent across the downstream calls it makes. */
  requestTimeoutMs: number;
  maxBodyBytes: number;
  logLevel: string;
}

/** Parses the gateway's settings; a bad or missing one throws a ConfigError naming it. */
export function loadGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  const e = envReader(env);
  const url = (name: string, port: number) => {
    const value = e.string(name, `http://127.0.0.1:${port}`);
    if (!/^https?:\/\/[^\s/]+/.test(value)) throw new ConfigError(`${name} must be an http(s) URL, got "${value}"`);
    return value.replace(/\/+$/, "");
  };
  const devTokens = e.bool("AUTH_DEV_TOKENS", false);
  const givenSecret = e.optionalString("JWT_SECRET");
  if (givenSecret === undefined && !devTokens) {
    throw new ConfigError("JWT_SECRET is required (only AUTH_DEV_TOKENS=true allows the dev default)");
  }
  if (givenSecret !== undefined && givenSecret.length < 16) {
    throw new ConfigError("JWT_SECRET must be at least 16 characters");
  }
  return {
    port: e.int("GATEWAY_PORT", defaultPorts.gateway, { min: 0, max: 65535 }),
    host: e.string("GATEWAY_HOST", "0.0.0.0"),
    serviceUrls: {
      product: url("PRODUCT_URL", defaultPorts.product),
      cart: url("CART_URL", defaultPorts.cart),
      inventory: url("INVENTORY_URL", defaultPorts.inventory),
      checkout: url("CHECKOUT_URL", defaultPorts.checkout),
      orders: url("ORDERS_URL", defaultPorts.orders),
    },
    jwtSecret: givenSecret ?? DEV_JWT_SECRET,
    usesDevJwtSecret: givenSecret === undefined,
    devTokens,
    rateLimitPerMinute: e.int("RATE_LIMIT_PER_MINUTE", 600, { min: 0 }),
    requestTimeoutMs: e.int("GATEWAY_REQUEST_TIMEOUT_MS", 65_000, { min: 100 }),
    maxBodyBytes: e.int("GATEWAY_MAX_BODY_BYTES", 64 * 1024, { min: 256 }),
    logLevel: e.string("LOG_LEVEL", "info"),
  };
}
