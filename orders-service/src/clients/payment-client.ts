import { createServiceClient, toMoneyProto } from "@checkout-saga/shared";
import { PaymentService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import type { Transport } from "@connectrpc/connect";
import type { RefundPort } from "../cancellation/ports.js";

/** PaymentService.Refund over Connect, each call with its own deadline. */
export function createPaymentClient(transport: Transport, timeoutMs: number): RefundPort {
  const client = createServiceClient(PaymentService, transport);
  return {
    async refund({ paymentId, amount, refundKey, reason }) {
      const res = await client.refund({ paymentId, amount: toMoneyProto(amount), refundKey, reason }, { timeoutMs });
      return { refunded: res.refund !== undefined };
    },
  };
}
