export { type InventoryConfig, loadInventoryConfig } from "./config.js";
export type { Clock } from "./domain/clock.js";
export { type InventoryService, type InventoryServiceDeps, startInventoryService } from "./service.js";
