export * from "./saga-definition.js";
export * from "./saga-description.js";
export * from "./saga-driver.js";
export * from "./saga-machine.js";
export * from "./saga-recovery.js";
