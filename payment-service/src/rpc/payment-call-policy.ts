import { defineCallPolicy } from "@checkout-saga/shared";
import { PaymentService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";

/**
 * Money moves only for the checkout saga, the order cancellation saga (refunds, and reading the
 * payment it refunds) and the developer: nothing else of the system may charge, refund or even
 * look. The gateway may only play the customer paying a konbini voucher.
 */
export const paymentCallPolicy = defineCallPolicy(PaymentService, {
  charge: { "checkout-service": "service", developer: "service" },
  refund: { "checkout-service": "service", "orders-service": "service", developer: "service" },
  voidCharge: { "checkout-service": "service", developer: "service" },
  getPayment: { "checkout-service": "service", "orders-service": "service", developer: "service" },
  // The customer paying at the store: the gateway's dev route (only where dev routes are on).
  payKonbini: { gateway: "service", developer: "service" },
});
