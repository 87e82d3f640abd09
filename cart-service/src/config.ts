import { ConfigError, defaultPorts, envReader } from "@checkout-saga/shared";

export interface CartConfig {
  port: number;
  /** The SQLite file holding carts in embedded mode. */
  databasePath: string;
  /** Base URL of the product service, which says whether a product exists. */
  productUrl: string;
  /** How long a cached cart lives; 0 turns the cache off. Each entry adds up to `cacheJitterMs`. */
  cacheTtlMs: number;
  /** Random extra lifetime per cache entry, so entries written together do not expire together. */
  cacheJitterMs: number;
  /** Carts not written for this long are deleted by the sweeper. */
  idleMs: number;
  /** Kafka brokers for production mode; absent in embedded mode. */
  kafkaBrokers?: string[];
  logLevel: string;
}

const CACHE_JITTER_MS = 300_000;
const DAY_MS = 86_400_000;

export function loadCartConfig(env: Record<string, string | undefined>): CartConfig {
  const e = envReader(env);
  const kafkaBrokers = e.optionalString("KAFKA_BROKERS");
  return {
    port: e.int("CART_PORT", defaultPorts.cart, { min: 0, max: 65535 }),
    databasePath: e.string("CART_DATABASE_PATH", ".data/cart.db"),
    productUrl: httpUrl("PRODUCT_URL", e.string("PRODUCT_URL", `http://127.0.0.1:${defaultPorts.product}`)),
    cacheTtlMs: e.int("CART_CACHE_TTL_SECONDS", 900, { min: 0, max: 86_400 }) * 1000,
    cacheJitterMs: CACHE_JITTER_MS,
    idleMs: e.int("CART_IDLE_DAYS", 90, { min: 1, max: 3650 }) * DAY_MS,
    kafkaBrokers: kafkaBrokers?.split(",").flatMap((b) => (b.trim() === "" ? [] : [b.trim()])),
    logLevel: e.string("LOG_LEVEL", "info"),
  };
}

function httpUrl(name: string, value: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new ConfigError(`${name} must be an http(s) URL, got "${value}"`);
  }
  return value;
}
