export * from "./circuit-breaker.js";
export * from "./retry.js";
