export { createGatewayApp, type GatewayDeps } from "./app.js";
export { createGatewayClients, type GatewayClients } from "./clients.js";
export { type GatewayConfig, loadGatewayConfig } from "./config.js";
export type { RateLimitDecision, RateLimitStore } from "./middleware/rate-limit.js";
export { type Gateway, startGateway } from "./service.js";
