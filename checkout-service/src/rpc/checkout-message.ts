import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { toMoneyProto, toShippingAddressProto, toTotalsProto } from "@checkout-saga/shared";
import {
  type Checkout,
  CheckoutFailureSchema,
  CheckoutItemSchema,
  CheckoutSchema,
  CheckoutStatus as CheckoutStatusMessage,
  type InitiateCheckoutResponse,
  InitiateCheckoutResponseSchema,
  KonbiniDisplayDetailsSchema,
  NextActionSchema,
  TransitionSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { LineShortageSchema } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/common_pb";
import type { CheckoutSession } from "../saga/checkout-saga.js";
import { type CheckoutStatus, isCheckoutStatus } from "../saga/checkout-saga.js";

/** A state's wire value: the CheckoutStatus enum value of the same name (every state has one: tested). */
export const statusToMessage = (status: CheckoutStatus): CheckoutStatusMessage =>
  CheckoutStatusMessage[status as keyof typeof CheckoutStatusMessage] ?? CheckoutStatusMessage.UNSPECIFIED;

/** The state a wire value names, or undefined for UNSPECIFIED and values the saga does not have. */
export function statusFromMessage(value: CheckoutStatusMessage): CheckoutStatus | undefined {
  const name = CheckoutStatusMessage[value];
  return name !== undefined && isCheckoutStatus(name) ? name : undefined;
}

/** The checkout as clients see it; the payment token never leaves the service. */
export function toCheckoutMessage(session: CheckoutSession, options: { history: boolean }): Checkout {
  const { currency } = session.total;
  const failure = session.failure;
  return create(CheckoutSchema, {
    checkoutId: session.id,
    userId: session.userId,
    status: statusToMessage(session.status),
    total: toMoneyProto(session.total),
    totals: session.totals && toTotalsProto(session.totals),
    items: session.items.map((i) =>
      create(CheckoutItemSchema, {
        productId: i.productId,
        name: i.name,
        quantity: i.quantity,
        unitPrice: toMoneyProto({ currency, amountMinor: i.unitPriceMinor }),
      }),
    ),
    failure:
      failure &&
      create(CheckoutFailureSchema, {
        code: failure.code,
        message: failure.message,
        shortages: (failure.shortages ?? []).map((s) => create(LineShortageSchema, s)),
        declineCode: failure.declineCode ?? "",
        heldBy: failure.heldBy ?? [],
        pointsBalance: BigInt(failure.pointsBalance ?? 0),
      }),
    history: options.history
      ? session.history.map((t) =>
          create(TransitionSchema, {
            from: t.from ? statusToMessage(t.from) : CheckoutStatusMessage.UNSPECIFIED,
            to: statusToMessage(t.to),
            reason: t.reason,
            at: timestampFromDate(t.at),
          }),
        )
      : [],
    reservationId: session.reservationId ?? "",
    paymentId: session.paymentId ?? "",
    stepMode: session.stepMode,
    needsAttention: session.needsAttention,
    shippingAddress: toShippingAddressProto(session.shippingAddress),
    createdAt: timestampFromDate(session.createdAt),
    updatedAt: timestampFromDate(session.updatedAt),
    paymentDeadline:
      session.status === "PAYMENT_PENDING" && session.paymentDeadline
        ? timestampFromDate(session.paymentDeadline)
        : undefined,
    nextAction: nextAction(session),
  });
}

/** While a konbini payment waits: the voucher the customer takes to the store. */
function nextAction(session: CheckoutSession) {
  const voucher = session.konbini;
  if (session.status !== "PAYMENT_PENDING" || !voucher) return undefined;
  return create(NextActionSchema, {
    type: "konbini_display_details",
    konbini: create(KonbiniDisplayDetailsSchema, {
      confirmationNumber: voucher.confirmationNumber,
      store: voucher.store ?? "",
      expiresAt: timestampFromDate(voucher.expiresAt),
    }),
  });
}

/** What is stored with an idempotency key: the first call's response, exactly. */
export const encodeInitiateResponse = (session: CheckoutSession): Uint8Array =>
  toBinary(
    InitiateCheckoutResponseSchema,
    create(InitiateCheckoutResponseSchema, {
      checkout: toCheckoutMessage(session, { history: true }),
      replayed: false,
    }),
  );

export const decodeInitiateResponse = (bytes: Uint8Array): InitiateCheckoutResponse =>
  fromBinary(InitiateCheckoutResponseSchema, bytes);
