import {
  defaultAdminPorts,
  defaultPorts,
  envReader,
  type RpcCredentialSettings,
  rpcCredentialSettings,
} from "@checkout-saga/shared";

export interface ProductConfig {
  port: number;
  /** Where /health and /metrics are served (HTTP/1.1); undefined: not served (a config built by hand in a test). */
  adminPort?: number;
  /** The SQLite catalog file (embedded mode): used when databaseUrl is not set. */
  databasePath: string;
  /** The PostgreSQL database the catalog lives in (production mode, PRODUCT_DATABASE_URL); unset: the SQLite file. */
  databaseUrl?: string;
  /** The inventory service, where a new product's initial stock goes (INVENTORY_URL). */
  inventoryUrl: string;
  /** Prices are shown in this currency when a request names none (STORE_CURRENCY, default USD). */
  storeCurrency: string;
  /** Service credentials: this process's key and the trust bundle (RPC_CREDENTIALS, RPC_*_FILE). */
  credentials: RpcCredentialSettings;
  logLevel: string;
}

export function loadProductConfig(env: Record<string, string | undefined>): ProductConfig {
  const e = envReader(env);
  const port = e.int("PRODUCT_PORT", defaultPorts.product, { min: 0, max: 65535 });
  return {
    port,
    adminPort: e.int("PRODUCT_ADMIN_PORT", port === 0 ? 0 : defaultAdminPorts.product, { min: 0, max: 65535 }),
    databasePath: e.string("PRODUCT_DATABASE_PATH", ".data/product.db"),
    databaseUrl: e.optionalString("PRODUCT_DATABASE_URL"),
    inventoryUrl: e.string("INVENTORY_URL", `http://127.0.0.1:${defaultPorts.inventory}`),
    storeCurrency: e.currency("STORE_CURRENCY", "USD"),
    credentials: rpcCredentialSettings(e),
    logLevel: e.string("LOG_LEVEL", "info"),
  };
}
