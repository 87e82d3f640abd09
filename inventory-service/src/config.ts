import {
  defaultAdminPorts,
  defaultPorts,
  envReader,
  type RpcCredentialSettings,
  rpcCredentialSettings,
} from "@checkout-saga/shared";
import { MAX_TTL_SECONDS } from "./domain/reserve-request.js";

export interface InventoryConfig {
  port: number;
  /** Where /health and /metrics are served (HTTP/1.1); undefined: not served (a config built by hand in a test). */
  adminPort?: number;
  /** PostgreSQL database owned by this service; required, there is no safe default. */
  databaseUrl: string;
  /** How long a reservation holds stock when the caller does not say. */
  reservationTtlSeconds: number;
  /** How often held reservations past their expiry are given back. */
  sweepIntervalMs: number;
  /** Service credentials: this process's key and the trust bundle (RPC_CREDENTIALS, RPC_*_FILE). */
  credentials: RpcCredentialSettings;
  logLevel: string;
}

export function loadInventoryConfig(env: Record<string, string | undefined>): InventoryConfig {
  const e = envReader(env);
  const port = e.int("INVENTORY_PORT", defaultPorts.inventory, { min: 0, max: 65535 });
  return {
    port,
    adminPort: e.int("INVENTORY_ADMIN_PORT", port === 0 ? 0 : defaultAdminPorts.inventory, { min: 0, max: 65535 }),
    databaseUrl: e.string("INVENTORY_DATABASE_URL"),
    reservationTtlSeconds: e.int("INVENTORY_RESERVATION_TTL_SECONDS", 300, { min: 1, max: MAX_TTL_SECONDS }),
    sweepIntervalMs: e.int("INVENTORY_SWEEP_INTERVAL_MS", 5_000, { min: 10, max: 3_600_000 }),
    credentials: rpcCredentialSettings(e),
    logLevel: e.string("LOG_LEVEL", "info"),
  };
}
