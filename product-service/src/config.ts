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
  /** The SQLite catalog file. */
  databasePath: string;
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
    storeCurrency: e.currency("STORE_CURRENCY", "USD"),
    credentials: rpcCredentialSettings(e),
    logLevel: e.string("LOG_LEVEL", "info"),
  };
}
