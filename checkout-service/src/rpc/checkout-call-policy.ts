import { defineCallPolicy } from "@checkout-saga/shared";
import { CheckoutService } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";

/**
 * A checkout is its user's: started and read for the user of the user assertion. Admins (the
 * admin role; the developer identity without an assertion) read and list anyone's and step
 * sagas in step mode. Payment notifications come from the gateway's webhook receiver (a service call).
 */
export const checkoutCallPolicy = defineCallPolicy(CheckoutService, {
  initiateCheckout: { gateway: "user", developer: "user" },
  getCheckout: { gateway: "user-or-admin", developer: "user-or-admin" },
  advanceCheckout: { gateway: "admin", developer: "admin" },
  listCheckouts: { gateway: "user-or-admin", developer: "user-or-admin" },
  retryCheckout: { gateway: "admin", developer: "admin" },
  getOutboxStatus: { gateway: "admin", developer: "admin" },
  listDeadLetters: { gateway: "admin", developer: "admin" },
  republishDeadLetters: { gateway: "admin", developer: "admin" },
  listCheckoutEvents: { gateway: "admin", developer: "admin" },
  replayCheckoutEvents: { gateway: "admin", developer: "admin" },
  // The gateway passes on a webhook it verified; no user is involved.
  recordPaymentNotification: { gateway: "service", developer: "service" },
});
