import path from "node:path";
import { loadCartConfig, startCartService } from "@checkout-saga/cart-service";
import { loadCheckoutConfig, startCheckoutService } from "@checkout-saga/checkout-service";
import { loadGatewayConfig, startGateway } from "@checkout-saga/gateway";
import { loadInventoryConfig, startInventoryService } from "@checkout-saga/inventory-service";
import { loadOrdersConfig, startOrdersService } from "@checkout-saga/orders-service";
import { loadPaymentConfig, startPaymentService } from "@checkout-saga/payment-service";
import { loadProductConfig, startProductService } from "@checkout-saga/product-service";
import {
  createInProcessDeadLetters,
  createInProcessEventBus,
  createInProcessServices,
  createLogger,
  ensureRpcKeys,
  envReader,
  type Running,
  startTracing,
  tracesExporterFromEnv,
} from "@checkout-saga/shared";
import { startEmbeddedPostgres } from "@checkout-saga/shared/dev";
import { RPC_IDENTITIES } from "./stack/topology.js";

export interface EmbeddedSystem {
  readonly gatewayUrl: string;
  /**
   * Where each part answers GET /health/live, /health/ready and /metrics, by name
   * (`product-service`, …, `gateway`): each service has its own admin port and registry.
   */
  readonly adminUrls: Readonly<Record<string, string>>;
  /**
   * With service credentials on (RPC_CREDENTIALS=on): where the keys are (`<dataDir>/rpc-keys`,
   * kept across restarts, so credentials handed out stay valid) and each service's RPC address.
   */
  readonly rpcCredentials?: { keysDir: string; services: Array<{ name: string; url: string }> };
  /** Connection URL of one of the embedded PostgreSQL databases (benchmarks and drills use it). */
  databaseUrl(name: "checkout" | "inventory" | "payment" | "orders"): string;
  stop(): Promise<void>;
}

const DATABASES = ["checkout", "inventory", "payment", "orders"] as const;

/**
 * Embedded mode: every service in this one process, each on its own port as in production,
 * on embedded PostgreSQL, SQLite files and the in-process event bus. Data lives in `dataDir`
 * and survives a restart. Settings come from `env` exactly as in production mode; embedded
 * mode only fills in where its servers are, turns dev tokens on and service credentials off
 * unless told otherwise, and with credentials on gives each service its own key from the data dir.
 */
export async function startEmbeddedSystem(options: {
  dataDir: string;
  env: Record<string, string | undefined>;
}): Promise<EmbeddedSystem> {
  const dataDir = path.resolve(options.dataDir);
  const e = envReader(options.env);
  const level = e.string("LOG_LEVEL", "info");
  const logger = (name: string) => createLogger(name, { level });
  const started: Running[] = [];
  const stopAll = async () => {
    for (const r of started.reverse()) await r.stop();
  };

  try {
    // One process, one provider: every service's spans go to the same exporter.
    started.push(startTracing({ serviceName: "checkout-saga-embedded", exporter: tracesExporterFromEnv(options.env) }));
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "postgres"),
      // Below the kernel's ephemeral range, so an outgoing connection never holds it.
      port: e.int("EMBEDDED_POSTGRES_PORT", 15433, { min: 0, max: 65535 }),
    });
    started.push(pg);
    for (const db of DATABASES) await pg.ensureDatabase(db);

    const env: Record<string, string | undefined> = {
      PRODUCT_DATABASE_PATH: path.join(dataDir, "product.db"),
      CART_DATABASE_PATH: path.join(dataDir, "cart.db"),
      INVENTORY_DATABASE_URL: pg.url("inventory"),
      PAYMENT_DATABASE_URL: pg.url("payment"),
      ORDERS_DATABASE_URL: pg.url("orders"),
      CHECKOUT_DATABASE_URL: pg.url("checkout"),
      AUTH_DEV_TOKENS: "true",
      // Every port listens on loopback and the services trust each other's calls (contract).
      RPC_CREDENTIALS: "off",
      ...options.env,
    };
    const keysDir = path.join(dataDir, "rpc-keys");
    const keys = envReader(env).bool("RPC_CREDENTIALS", false)
      ? await ensureRpcKeys(keysDir, RPC_IDENTITIES)
      : undefined;
    /** The settings of one part: with credentials on, its own key (one process, one env, so set per part). */
    const envOf = (name: string) =>
      keys ? { ...env, RPC_SIGNING_KEY_FILE: keys.signingKey(name), RPC_TRUST_BUNDLE_FILE: keys.trustBundle } : env;
    const bus = createInProcessEventBus({ logger: logger("event-bus") });
    // Services call each other in process (Connect's router transport: same handlers, interceptors
    // and errors, no HTTP/2 loopback hop) unless EMBEDDED_RPC=network asks for the sockets.
    const rpcMode = e.oneOf("EMBEDDED_RPC", ["in-process", "network"], "in-process");
    const inProcess = rpcMode === "in-process" ? createInProcessServices() : undefined;
    const adminUrls: Record<string, string> = {};
    const rpcUrls: Array<{ name: string; url: string }> = [];
    const service = <S extends Running & { port: number; adminPort?: number }>(name: string, running: S): S => {
      started.push(running);
      if (running.adminPort !== undefined) adminUrls[name] = `http://127.0.0.1:${running.adminPort}`;
      rpcUrls.push({ name, url: `http://127.0.0.1:${running.port}` });
      return running;
    };

    // Each service starts after the ones it calls, so it finds them registered in process.
    service(
      "product-service",
      await startProductService(loadProductConfig(envOf("product-service")), logger("product-service"), { inProcess }),
    );
    service(
      "inventory-service",
      await startInventoryService(loadInventoryConfig(envOf("inventory-service")), logger("inventory-service"), {
        inProcess,
      }),
    );
    // Consumers subscribe before the relay can publish, so no event finds the bus empty.
    service(
      "payment-service",
      await startPaymentService(loadPaymentConfig(envOf("payment-service")), logger("payment-service"), {
        events: bus,
        inProcess,
      }),
    );
    service(
      "cart-service",
      await startCartService(loadCartConfig(envOf("cart-service")), logger("cart-service"), { events: bus, inProcess }),
    );
    service(
      "orders-service",
      await startOrdersService(loadOrdersConfig(envOf("orders-service")), logger("orders-service"), {
        events: bus,
        inProcess,
      }),
    );
    service(
      "checkout-service",
      await startCheckoutService(loadCheckoutConfig(envOf("checkout-service")), logger("checkout-service"), {
        events: bus,
        deadLetters: createInProcessDeadLetters(bus),
        inProcess,
      }),
    );
    const gateway = await startGateway(loadGatewayConfig(envOf("gateway")), logger("gateway"), { inProcess });
    started.push(gateway);
    adminUrls.gateway = gateway.url;

    return {
      gatewayUrl: gateway.url,
      adminUrls,
      rpcCredentials: keys && { keysDir, services: rpcUrls },
      databaseUrl: (name) => pg.url(name),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll().catch(() => {});
    throw err;
  }
}
