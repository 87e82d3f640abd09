import {
  ConfigError,
  defaultAdminPorts,
  defaultPorts,
  envReader,
  type KafkaSasl,
  type RpcCredentialSettings,
  readKafkaSasl,
  rpcCredentialSettings,
} from "@checkout-saga/shared";

export interface CartConfig {
  port: number;
  /** Where /health and /metrics are served (HTTP/1.1); undefined: not served (a config built by hand in a test). */
  adminPort?: number;
  /** The SQLite file holding carts when no MongoDB is configured (embedded mode). */
  databasePath: string;
  /** The MongoDB (or FerretDB) holding carts in production; the database comes from the URI's path. */
  mongodb?: { uri: string; database: string };
  /** The Redis shared by every instance as the cart cache; without it each process caches for itself. */
  redisUrl?: string;
  /** Base URL of the product service, which says whether a product exists. */
  productUrl: string;
  /** How long a cached cart lives; 0 turns the cache off. Each entry adds up to `cacheJitterMs`. */
  cacheTtlMs: number;
  /** Random extra lifetime per cache entry, so entries written together do not expire together. */
  cacheJitterMs: number;
  /** Carts not written for this long are deleted by the sweeper. */
  idleMs: number;
  /** Production mode's brokers; embedded mode hands the service an in-process bus instead. */
  kafkaBrokers?: string;
  /** Who the service is to the brokers (KAFKA_SASL_MECHANISM, KAFKA_USERNAME, KAFKA_PASSWORD); anonymous when unset. */
  kafkaSasl?: KafkaSasl;
  /**
   * A drill knob: the checkout-events consumer waits this long before handling each event, so
   * drills can reproduce a consumer that lags behind the checkouts (0: no wait).
   */
  consumerDelayMs: number;
  /** Service credentials: this process's key and the trust bundle (RPC_CREDENTIALS, RPC_*_FILE). */
  credentials: RpcCredentialSettings;
  /** A cart that never chose a currency is in this one (STORE_CURRENCY, default USD). */
  storeCurrency: string;
  logLevel: string;
}

const CACHE_JITTER_MS = 300_000;
const DAY_MS = 86_400_000;
const DEFAULT_MONGODB_DATABASE = "cart";

export function loadCartConfig(env: Record<string, string | undefined>): CartConfig {
  const e = envReader(env);
  const kafkaBrokers = e.optionalString("KAFKA_BROKERS");
  const mongodbUri = e.optionalString("MONGODB_URI");
  const redisUrl = e.optionalString("REDIS_URL");
  const port = e.int("CART_PORT", defaultPorts.cart, { min: 0, max: 65535 });
  return {
    port,
    adminPort: e.int("CART_ADMIN_PORT", port === 0 ? 0 : defaultAdminPorts.cart, { min: 0, max: 65535 }),
    databasePath: e.string("CART_DATABASE_PATH", ".data/cart.db"),
    mongodb: mongodbUri === undefined ? undefined : { uri: mongodbUri, database: mongodbDatabase(mongodbUri) },
    redisUrl: redisUrl === undefined ? undefined : redisUrlOf(redisUrl),
    productUrl: httpUrl("PRODUCT_URL", e.string("PRODUCT_URL", `http://127.0.0.1:${defaultPorts.product}`)),
    cacheTtlMs: e.int("CART_CACHE_TTL_SECONDS", 900, { min: 0, max: 86_400 }) * 1000,
    cacheJitterMs: CACHE_JITTER_MS,
    idleMs: e.int("CART_IDLE_DAYS", 90, { min: 1, max: 3650 }) * DAY_MS,
    kafkaBrokers,
    kafkaSasl: readKafkaSasl(e),
    consumerDelayMs: e.int("CART_CONSUMER_DELAY_MS", 0, { min: 0, max: 60_000 }),
    credentials: rpcCredentialSettings(e),
    storeCurrency: e.currency("STORE_CURRENCY", "USD"),
    logLevel: e.string("LOG_LEVEL", "info"),
  };
}

function httpUrl(name: string, value: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new ConfigError(`${name} must be an http(s) URL, got "${value}"`);
  }
  return value;
}

// Neither message quotes the value: connection strings carry passwords.

/** The database named in a connection string's path (hosts may be a list, which URL cannot parse). */
function mongodbDatabase(uri: string): string {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?#]+(?:\/([^?#]*))?/.exec(uri);
  if (!match) throw new ConfigError("MONGODB_URI must be a mongodb:// or mongodb+srv:// connection string");
  let database: string;
  try {
    database = decodeURIComponent(match[1] ?? "") || DEFAULT_MONGODB_DATABASE;
  } catch {
    throw new ConfigError("MONGODB_URI has a malformed database name");
  }
  if (/[/\\. "$]/.test(database)) throw new ConfigError(`MONGODB_URI names an invalid database "${database}"`);
  return database;
}

function redisUrlOf(value: string): string {
  if (!URL.canParse(value) || !/^rediss?:$/.test(new URL(value).protocol)) {
    throw new ConfigError("REDIS_URL must be a redis:// or rediss:// URL");
  }
  return value;
}
