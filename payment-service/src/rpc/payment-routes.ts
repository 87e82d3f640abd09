import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Amount, type Logger, toMoneyProto } from "@checkout-saga/shared";
import type { Money } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/common_pb";
import {
  type Payment as PaymentMessage,
  PaymentSchema,
  PaymentService,
  PaymentStatus,
  type Refund as RefundMessage,
  RefundSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import type { ConnectRouter } from "@connectrpc/connect";
import { isVoidedBeforeCharge, type Payment, type Refund, refundedMinor } from "../domain/payment.js";
import type { Payments } from "../domain/payments.js";

const statusToProto: Record<Payment["status"], PaymentStatus> = {
  SUCCEEDED: PaymentStatus.SUCCEEDED,
  DECLINED: PaymentStatus.DECLINED,
  PENDING: PaymentStatus.PENDING,
  REFUNDED: PaymentStatus.REFUNDED,
  VOIDED: PaymentStatus.VOIDED,
  EXPIRED: PaymentStatus.EXPIRED,
};

export function paymentRoutes(payments: Payments, logger: Logger) {
  return (router: ConnectRouter) =>
    router.service(PaymentService, {
      async charge(req) {
        const method = required(req.paymentMethod, "payment_method");
        const payment = await payments.charge({
          idempotencyKey: req.idempotencyKey,
          checkoutId: req.checkoutId,
          amount: toAmount(required(req.amount, "amount")),
          method: {
            type: method.type,
            token: method.token,
            ...(method.store === "" ? {} : { store: method.store }),
          },
        });
        // The token stays out of logs.
        logger.info(
          {
            paymentId: payment.id,
            checkoutId: req.checkoutId,
            status: payment.status,
            declineCode: payment.status === "DECLINED" ? payment.declineCode : undefined,
          },
          "charge answered",
        );
        return { payment: toMessage(payment) };
      },
      async refund(req) {
        const { payment, refund } = await payments.refund(req.paymentId, {
          key: req.refundKey,
          ...(req.amount ? { amount: toAmount(req.amount) } : {}),
          reason: req.reason,
        });
        logger.info(
          { paymentId: payment.id, status: payment.status, refundKey: req.refundKey, refunded: refund?.amount },
          "refund answered",
        );
        return { payment: toMessage(payment), refund: refund && toRefundMessage(refund) };
      },
      async voidCharge(req) {
        const payment = await payments.voidCharge(req.idempotencyKey, req.reason);
        logger.info({ paymentId: payment.id, status: payment.status }, "void answered");
        return { payment: toMessage(payment) };
      },
      async getPayment(req) {
        return { payment: toMessage(await payments.get(req)) };
      },
      async payKonbini(req) {
        const payment = await payments.payKonbini(req.confirmationNumber);
        logger.info({ paymentId: payment.id, status: payment.status }, "konbini payment answered");
        return { payment: toMessage(payment) };
      },
    });
}

/** Proto int64 arrives as a bigint; the field rule keeps it within 1..2^53-1, so it converts exactly. */
const toAmount = (m: Money): Amount => ({ currency: m.currency, amountMinor: Number(m.amountMinor) });

/** A message the field rules mark `required` is there by the time a handler runs; if not, a caller bypassed them. */
function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new Error(`${field} is required by its field rule, yet missing`);
  return value;
}

function toMessage(p: Payment): PaymentMessage {
  if (isVoidedBeforeCharge(p)) {
    return create(PaymentSchema, {
      paymentId: p.id,
      idempotencyKey: p.idempotencyKey,
      status: statusToProto[p.status],
      createdAt: timestampFromDate(p.createdAt),
    });
  }
  return create(PaymentSchema, {
    paymentId: p.id,
    idempotencyKey: p.idempotencyKey,
    checkoutId: p.checkoutId,
    amount: toMoneyProto(p.amount),
    status: statusToProto[p.status],
    declineCode: p.declineCode ?? "",
    declineMessage: p.declineMessage ?? "",
    createdAt: timestampFromDate(p.createdAt),
    refundedAt: p.refundedAt && timestampFromDate(p.refundedAt),
    refunded: toMoneyProto({ currency: p.amount.currency, amountMinor: refundedMinor(p) }),
    refunds: p.refunds.map(toRefundMessage),
    konbini: p.konbini && {
      confirmationNumber: p.konbini.confirmationNumber,
      store: p.method.store ?? "",
      expiresAt: timestampFromDate(p.konbini.expiresAt),
      paidAt: p.konbini.paidAt && timestampFromDate(p.konbini.paidAt),
    },
    expiresAt: p.konbini && timestampFromDate(p.konbini.expiresAt),
  });
}

function toRefundMessage(r: Refund): RefundMessage {
  return create(RefundSchema, {
    refundKey: r.key,
    amount: toMoneyProto(r.amount),
    reason: r.reason,
    createdAt: timestampFromDate(r.createdAt),
  });
}
