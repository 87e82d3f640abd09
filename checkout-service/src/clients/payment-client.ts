import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { createServiceClient, toMoneyProto } from "@checkout-saga/shared";
import {
  type Payment,
  PaymentMethodSchema,
  PaymentService,
  PaymentStatus,
} from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import type { Transport } from "@connectrpc/connect";
import type { PaymentPort, PaymentResult } from "../saga/ports.js";

const statuses: Partial<Record<PaymentStatus, PaymentResult["status"]>> = {
  [PaymentStatus.SUCCEEDED]: "succeeded",
  [PaymentStatus.DECLINED]: "declined",
  [PaymentStatus.PENDING]: "pending",
  [PaymentStatus.REFUNDED]: "refunded",
  [PaymentStatus.VOIDED]: "voided",
  [PaymentStatus.EXPIRED]: "expired",
};

/** PaymentService over Connect, each call with its own deadline. */
export function createPaymentClient(transport: Transport, timeoutMs: number): PaymentPort {
  const client = createServiceClient(PaymentService, transport);
  return {
    async charge({ idempotencyKey, checkoutId, amount, method }) {
      const res = await client.charge(
        {
          idempotencyKey,
          checkoutId,
          amount: toMoneyProto(amount),
          paymentMethod: create(
            PaymentMethodSchema,
            method.type === "card" ? method : { type: method.type, store: method.store ?? "" },
          ),
        },
        { timeoutMs },
      );
      return toResult(res.payment);
    },
    async refund(paymentId, reason) {
      await client.refund({ paymentId, reason }, { timeoutMs });
    },
    async voidCharge(idempotencyKey, reason) {
      const res = await client.voidCharge({ idempotencyKey, reason }, { timeoutMs });
      return toResult(res.payment);
    },
    async getPayment(paymentId) {
      const res = await client.getPayment({ paymentId }, { timeoutMs });
      return toResult(res.payment);
    },
  };
}

function toResult(payment: Payment | undefined): PaymentResult {
  const status = payment && statuses[payment.status];
  if (!payment || !status) throw new Error("the payment service answered without a usable payment");
  return {
    paymentId: payment.paymentId,
    status,
    declineCode: payment.declineCode || undefined,
    declineMessage: payment.declineMessage || undefined,
    konbini: payment.konbini?.expiresAt && {
      confirmationNumber: payment.konbini.confirmationNumber,
      ...(payment.konbini.store === "" ? {} : { store: payment.konbini.store }),
      expiresAt: timestampDate(payment.konbini.expiresAt),
    },
  };
}
