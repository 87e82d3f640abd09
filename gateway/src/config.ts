import {
  ConfigError,
  defaultPorts,
  envReader,
  type RpcCredentialSettings,
  readPaymentWebhookSecret,
  rpcCredentialSettings,
} from "@checkout-saga/shared";

/** The secret dev mode falls back to; never acceptable once dev tokens are off. */
export const DEV_JWT_SECRET = "dev-secret-change-me";

/** Where RS256 bearer tokens are checked: a JWKS endpoint, and optionally the claims it must carry. */
export interface JwksSettings {
  url: string;
  /** Required `iss` when set. */
  issuer?: string;
  /** Required `aud` (one of the token's audiences) when set. */
  audience?: string;
}

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
  /** HS256 secret for bearer tokens; undefined when only JWKS (RS256) tokens are accepted. */
  jwtSecret: string | undefined;
  /** True when the secret is the built-in dev default (start-up logs a warning). */
  usesDevJwtSecret: boolean;
  /** RS256 tokens verified against a JWKS (JWT_JWKS_URL); undefined turns RS256 off. */
  jwks: JwksSettings | undefined;
  /** Mounts the dev routes: POST /api/v1/dev/token and POST /api/v1/dev/payments/konbini/{n}/pay. */
  devTokens: boolean;
  /** The payment service (PAYMENT_URL): GET /points (its PointsService) and the dev pay route call it. */
  paymentUrl: string;
  /** PAYMENT_WEBHOOK_SECRET: verifies the provider's signed webhooks (Standard Webhooks, `whsec_…`). */
  paymentWebhookSecret: string;
  /** True when it is the built-in dev secret (dev tokens on, none given). */
  usesDevPaymentWebhookSecret: boolean;
  /** Requests per minute per user and per client address; 0 turns limiting off. */
  rateLimitPerMinute: number;
  /** Redis shared by every gateway instance for rate-limit buckets; in memory when undefined. */
  redisUrl: string | undefined;
  /** Deadline of every route but POST /checkout, spent across the downstream calls it makes. */
  requestTimeoutMs: number;
  /** Deadline of POST /checkout, which waits for the saga (reserve, charge, complete). */
  checkoutTimeoutMs: number;
  maxBodyBytes: number;
  /** Origins allowed by CORS; empty = no CORS headers at all (same-origin clients only). */
  corsAllowedOrigins: string[];
  /** Service credentials: this process's key and the trust bundle (RPC_CREDENTIALS, RPC_*_FILE). */
  credentials: RpcCredentialSettings;
  logLevel: string;
}

const HTTP_URL = /^https?:\/\/[^\s/]+/;

/** Parses the gateway's settings; a bad or missing one throws a ConfigError naming it. */
export function loadGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  const e = envReader(env);
  const url = (name: string, port: number) => {
    const value = e.string(name, `http://127.0.0.1:${port}`);
    if (!HTTP_URL.test(value)) throw new ConfigError(`${name} must be an http(s) URL, got "${value}"`);
    return value.replace(/\/+$/, "");
  };
  const devTokens = e.bool("AUTH_DEV_TOKENS", false);
  const givenSecret = e.optionalString("JWT_SECRET");
  const jwksUrl = e.optionalString("JWT_JWKS_URL");
  if (jwksUrl !== undefined && !HTTP_URL.test(jwksUrl)) {
    throw new ConfigError(`JWT_JWKS_URL must be an http(s) URL, got "${jwksUrl}"`);
  }
  if (givenSecret === undefined && !devTokens && jwksUrl === undefined) {
    throw new ConfigError("JWT_SECRET is required (or JWT_JWKS_URL; only AUTH_DEV_TOKENS=true allows the dev default)");
  }
  if (givenSecret !== undefined && givenSecret.length < 16) {
    throw new ConfigError("JWT_SECRET must be at least 16 characters");
  }
  const redisUrl = e.optionalString("REDIS_URL");
  if (redisUrl !== undefined && !/^rediss?:\/\/\S+$/.test(redisUrl)) {
    throw new ConfigError("REDIS_URL must be a redis:// or rediss:// URL");
  }
  const corsAllowedOrigins = (e.optionalString("CORS_ALLOWED_ORIGINS") ?? "")
    .split(",")
    .map((o) => o.trim())
    .filter((o) => o !== "");
  for (const origin of corsAllowedOrigins) {
    if (origin !== "*" && !/^https?:\/\/[^\s/]+$/.test(origin)) {
      throw new ConfigError(`CORS_ALLOWED_ORIGINS: "${origin}" is not an origin like https://shop.example.com`);
    }
  }
  const useDevSecret = givenSecret === undefined && devTokens;
  const webhooks = readPaymentWebhookSecret(e, devTokens);
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
    jwtSecret: useDevSecret ? DEV_JWT_SECRET : givenSecret,
    usesDevJwtSecret: useDevSecret,
    jwks:
      jwksUrl === undefined
        ? undefined
        : {
            url: jwksUrl,
            issuer: e.optionalString("JWT_ISSUER"),
            audience: e.optionalString("JWT_AUDIENCE"),
          },
    devTokens,
    paymentUrl: url("PAYMENT_URL", defaultPorts.payment),
    paymentWebhookSecret: webhooks.secret,
    usesDevPaymentWebhookSecret: webhooks.usesDevSecret,
    rateLimitPerMinute: e.int("RATE_LIMIT_PER_MINUTE", 600, { min: 0 }),
    redisUrl,
    requestTimeoutMs: e.int("GATEWAY_REQUEST_TIMEOUT_MS", 10_000, { min: 100 }),
    checkoutTimeoutMs: e.int("GATEWAY_CHECKOUT_TIMEOUT_MS", 65_000, { min: 100 }),
    maxBodyBytes: e.int("GATEWAY_MAX_BODY_BYTES", 64 * 1024, { min: 256 }),
    corsAllowedOrigins,
    credentials: rpcCredentialSettings(e),
    logLevel: e.string("LOG_LEVEL", "info"),
  };
}
