export { type CheckoutConfig, loadCheckoutConfig } from "./config.js";
export { type CheckoutService, type CheckoutServiceDeps, startCheckoutService } from "./service.js";
