export { loadPaymentConfig, type PaymentConfig } from "./config.js";
export { type PaymentService, startPaymentService } from "./service.js";
