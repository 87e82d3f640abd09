export { createGatewayApp, type GatewayDeps } from "./app.js";
export { createGatewayClients, type GatewayClients } from "./clients.js";
export { type GatewayConfig, loadGatewayConfig } from "./config.js";
export { createMemoryRateLimitStore } from "./rate-limit/memory-store.js";
export { createRedisRateLimitStore } from "./rate-limit/redis-store.js";
export type { RateLimitDecision, RateLimitStore } from "./rate-limit/store.js";
export { type Gateway, startGateway } from "./service.js";
