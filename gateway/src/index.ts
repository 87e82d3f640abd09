export { createGatewayApp, type GatewayDeps } from "./app.js";
export { createGatewayClients, type GatewayClients } from "./clients.js";
export { type GatewayConfig, loadGatewayConfig } from "./config.js";
export { createRateLimiter, type RateLimiterOptions } from "./rate-limit/limiter.js";
export { type Gateway, startGateway } from "./service.js";
