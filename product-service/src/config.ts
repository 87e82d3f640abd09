import { defaultPorts, envReader } from "@checkout-saga/shared";

export interface ProductConfig {
  port: number;
  /** The SQLite catalog file. */
  databasePath: string;
  logLevel: string;
}

export function loadProductConfig(env: Record<string, string | undefined>): ProductConfig {
  const e = envReader(env);
  return {
    port: e.int("PRODUCT_PORT", defaultPorts.product, { min: 0, max: 65535 }),
    databasePath: e.string("PRODUCT_DATABASE_PATH", ".data/product.db"),
    logLevel: e.string("LOG_LEVEL", "info"),
  };
}
