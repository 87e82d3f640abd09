import { DEVELOPER } from "@checkout-saga/shared";

/**
 * What `npm run stack` runs in production mode on one machine: the real servers, then every
 * service as its own OS process, wired by env. One table, so `up`, `status`, the deployment
 * descriptions and their tests agree on names, ports and variables.
 */
/** Below the kernel's ephemeral range (32768–60999), so an outgoing connection never holds one. */
export const SERVER_PORTS = {
  postgres: 15432,
  redis: 6379,
  kafka: 9092,
  kafkaController: 9093,
  // FerretDB's own PostgreSQL has no fixed port: only FerretDB connects to it, on a free one.
  ferretdb: 27017,
} as const;

export type ServerName = "postgres" | "redis" | "kafka" | "ferretdb";
export const SERVER_NAMES: ServerName[] = ["postgres", "redis", "kafka", "ferretdb"];

export interface ServiceSpec {
  name: string;
  /** Entry point relative to the repo root. */
  main: string;
  portVar: string;
  port: number;
  /**
   * Where GET /health/ready and /metrics answer over HTTP/1.1: each service's admin port
   * (`<SVC>_ADMIN_PORT`); the gateway serves them on its own port.
   */
  adminPortVar: string;
  adminPort: number;
  /** Started after these (their readiness is awaited). */
  after: string[];
}

export const SERVICES: ServiceSpec[] = [
  {
    name: "product-service",
    main: "product-service/src/main.ts",
    portVar: "PRODUCT_PORT",
    port: 50051,
    adminPortVar: "PRODUCT_ADMIN_PORT",
    adminPort: 9451,
    after: [],
  },
  {
    name: "inventory-service",
    main: "inventory-service/src/main.ts",
    portVar: "INVENTORY_PORT",
    port: 50053,
    adminPortVar: "INVENTORY_ADMIN_PORT",
    adminPort: 9453,
    after: [],
  },
  {
    name: "payment-service",
    main: "payment-service/src/main.ts",
    portVar: "PAYMENT_PORT",
    port: 50054,
    adminPortVar: "PAYMENT_ADMIN_PORT",
    adminPort: 9454,
    after: [],
  },
  {
    name: "cart-service",
    main: "cart-service/src/main.ts",
    portVar: "CART_PORT",
    port: 50052,
    adminPortVar: "CART_ADMIN_PORT",
    adminPort: 9452,
    after: ["product-service"],
  },
  {
    name: "orders-service",
    main: "orders-service/src/main.ts",
    portVar: "ORDERS_PORT",
    port: 50055,
    adminPortVar: "ORDERS_ADMIN_PORT",
    adminPort: 9455,
    after: [],
  },
  {
    name: "checkout-service",
    main: "checkout-service/src/main.ts",
    portVar: "CHECKOUT_PORT",
    port: 50056,
    adminPortVar: "CHECKOUT_ADMIN_PORT",
    adminPort: 9456,
    after: ["cart-service", "product-service", "inventory-service", "payment-service"],
  },
  {
    name: "gateway",
    main: "gateway/src/main.ts",
    portVar: "GATEWAY_PORT",
    port: 8080,
    adminPortVar: "GATEWAY_PORT",
    adminPort: 8080,
    after: ["product-service", "cart-service", "inventory-service", "checkout-service", "orders-service"],
  },
];

export const DATABASES = ["checkout", "inventory", "payment", "orders"] as const;

/**
 * Who gets an Ed25519 key of its own (service credentials, README "Calling a service by hand"):
 * every service and the gateway, which also signs user assertions, plus the developer identity
 * people call services with.
 */
export const RPC_IDENTITIES = [...SERVICES.map((s) => s.name), DEVELOPER];

/** Kafka topics with explicit partition counts; the broker never auto-creates. */
export const TOPICS = [
  { topic: "checkout-events", partitions: 6 },
  { topic: "checkout-events.dlq", partitions: 1 },
];
