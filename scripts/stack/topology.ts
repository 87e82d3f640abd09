import { DEVELOPER } from "@checkout-saga/shared";
import type { KafkaGrant } from "../provision/kafka-access.js";

/**
 * What `npm run stack` runs in production mode on one machine: the real servers, then every
 * service as its own OS process, wired by env. One table, so `up`, `status`, the deployment
 * descriptions and their tests agree on names, ports, variables and who connects as whom.
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
  /** The PostgreSQL database it owns (as its own login role, `databaseRole`). */
  database?: DatabaseName;
  /** Its carts live in MongoDB (FerretDB in the stack), as the role `FERRETDB_ROLE`. */
  mongodb?: boolean;
  /** The Redis ACL user it connects as (`REDIS_USERS`). */
  redisUser?: string;
  /** The Kafka SCRAM user it connects as (`KAFKA_USERS`). */
  kafkaUser?: string;
}

export const SERVICES: ServiceSpec[] = [
  {
    name: "product-service",
    main: "product-service/src/main.ts",
    portVar: "PRODUCT_PORT",
    port: 50051,
    adminPortVar: "PRODUCT_ADMIN_PORT",
    adminPort: 9451,
    // It calls inventory only for an admin's new product, so it need not wait for it.
    after: [],
    database: "product",
  },
  {
    name: "inventory-service",
    main: "inventory-service/src/main.ts",
    portVar: "INVENTORY_PORT",
    port: 50053,
    adminPortVar: "INVENTORY_ADMIN_PORT",
    adminPort: 9453,
    after: [],
    database: "inventory",
  },
  {
    name: "payment-service",
    main: "payment-service/src/main.ts",
    portVar: "PAYMENT_PORT",
    port: 50054,
    adminPortVar: "PAYMENT_ADMIN_PORT",
    adminPort: 9454,
    after: [],
    database: "payment",
    kafkaUser: "payment-service",
  },
  {
    name: "cart-service",
    main: "cart-service/src/main.ts",
    portVar: "CART_PORT",
    port: 50052,
    adminPortVar: "CART_ADMIN_PORT",
    adminPort: 9452,
    after: ["product-service"],
    mongodb: true,
    redisUser: "cart-service",
    kafkaUser: "cart-service",
  },
  {
    name: "orders-service",
    main: "orders-service/src/main.ts",
    portVar: "ORDERS_PORT",
    port: 50055,
    adminPortVar: "ORDERS_ADMIN_PORT",
    adminPort: 9455,
    after: ["inventory-service", "payment-service"],
    database: "orders",
    kafkaUser: "orders-service",
  },
  {
    name: "checkout-service",
    main: "checkout-service/src/main.ts",
    portVar: "CHECKOUT_PORT",
    port: 50056,
    adminPortVar: "CHECKOUT_ADMIN_PORT",
    adminPort: 9456,
    after: ["cart-service", "product-service", "inventory-service", "payment-service"],
    database: "checkout",
    kafkaUser: "checkout-service",
  },
  {
    name: "gateway",
    main: "gateway/src/main.ts",
    portVar: "GATEWAY_PORT",
    port: 8080,
    adminPortVar: "GATEWAY_PORT",
    adminPort: 8080,
    after: ["product-service", "cart-service", "inventory-service", "checkout-service", "orders-service"],
    redisUser: "gateway",
  },
];

export const DATABASES = ["checkout", "inventory", "payment", "orders", "product"] as const;
export type DatabaseName = (typeof DATABASES)[number];

/**
 * The login role that owns a service's database (`checkout` → `checkout_service`): the
 * service connects and migrates as it; not superuser, no CREATEDB or CREATEROLE, and no other
 * role (superusers aside) may connect to that database.
 */
export const databaseRole = (database: DatabaseName) => `${database}_service`;

/** The role the cart service is to FerretDB, which passes it on to its PostgreSQL: owner of FerretDB's database. */
export const FERRETDB_ROLE = "cart_service";

/** Redis ACL users and the keys each may touch (every command but the dangerous ones, on those keys only). */
export const REDIS_USERS = [
  { name: "gateway", keys: ["gateway:ratelimit:*"] },
  { name: "cart-service", keys: ["cart:*"] },
] as const;

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
  { topic: "order-events", partitions: 6 },
  { topic: "order-events.dlq", partitions: 1 },
];

/** A consumer of checkout-events: reads it as its own group and parks poison messages on the dead-letter topic. */
const consumerOf = (group: string): KafkaGrant[] => [
  { resource: "topic", name: "checkout-events", operations: ["read"] },
  { resource: "group", name: group, operations: ["read"] },
  { resource: "topic", name: "checkout-events.dlq", operations: ["write"] },
];

/**
 * Kafka's SCRAM users and their ACLs (the broker's StandardAuthorizer denies everything else;
 * READ and WRITE imply DESCRIBE). Topics are created by the provisioning admin, never by these.
 */
export const KAFKA_USERS: { name: string; grants: KafkaGrant[] }[] = [
  {
    // The outbox relay produces (idempotently) to checkout-events; ListDeadLetters reads the
    // dead letters with throwaway groups of its own (checkout-service-dead-letters-list-*,
    // deleted after); RepublishDeadLetters reads as the CLI's republish group
    // (outbox-cli-dead-letters), so both mark what was sent back in one place.
    name: "checkout-service",
    grants: [
      { resource: "topic", name: "checkout-events", operations: ["write"] },
      { resource: "topic", name: "checkout-events.dlq", operations: ["read"] },
      { resource: "group", name: "checkout-service-dead-letters", prefixed: true, operations: ["read", "delete"] },
      { resource: "group", name: "outbox-cli-dead-letters", operations: ["read"] },
    ],
  },
  {
    // Consumes checkout-events; its outbox relay produces (idempotently) to order-events.
    name: "orders-service",
    grants: [...consumerOf("orders-service"), { resource: "topic", name: "order-events", operations: ["write"] }],
  },
  { name: "cart-service", grants: consumerOf("cart-service") },
  {
    // Earns points from checkout-events and takes them back from order-events, as one group.
    name: "payment-service",
    grants: [
      ...consumerOf("payment-service"),
      { resource: "topic", name: "order-events", operations: ["read"] },
      { resource: "topic", name: "order-events.dlq", operations: ["write"] },
    ],
  },
  {
    // The outbox CLI: replays to checkout-events, reads the dead letters with groups of its
    // own (outbox-cli-dead-letters, throwaway outbox-cli-list-*, deleted after) and sends them back.
    name: "outbox-cli",
    grants: [
      { resource: "topic", name: "checkout-events", operations: ["write"] },
      { resource: "topic", name: "checkout-events.dlq", operations: ["read"] },
      { resource: "group", name: "outbox-cli", prefixed: true, operations: ["read", "delete"] },
    ],
  },
];
