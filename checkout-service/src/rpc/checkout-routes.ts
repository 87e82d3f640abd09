import { create } from "@bufbuild/protobuf";
import {
  actingUser,
  aggregateEvents,
  CHECKOUT_EVENTS_TOPIC,
  callActor,
  type DeadLetters,
  fromShippingAddressProto,
  isUuid,
  type Logger,
  newestFirstPageToken,
  type OutboxQueries,
  pageSize,
  toOutboxEventMessage,
  toOutboxStatusMessage,
} from "@checkout-saga/shared";
import {
  CheckoutService,
  InitiateCheckoutResponseSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import type { ConnectRouter } from "@connectrpc/connect";
import { type CheckoutCommands, checkoutNotFound } from "../saga/checkout-commands.js";
import type { CheckoutSagaStore } from "../saga/checkout-saga.js";
import type { PaymentNotifications } from "../saga/payment-notifications.js";
import type { CheckoutQueries } from "../store/postgres-checkout-store.js";
import { decodeInitiateResponse, statusFromMessage, toCheckoutMessage } from "./checkout-message.js";
import { toDeadLetterMessage } from "./dead-letter-message.js";

export interface CheckoutRoutesDeps {
  commands: CheckoutCommands;
  notifications: PaymentNotifications;
  store: Pick<CheckoutSagaStore, "load"> & CheckoutQueries;
  /** The outbox's status, one checkout's rows, and sending them again, for operators. */
  outbox: Pick<OutboxQueries, "status" | "list" | "requeue">;
  /** What consumers of checkout-events parked, for operators to read and send back. */
  deadLetters: DeadLetters;
  logger: Logger;
}

/** Checkouts of the user the call acts for (checkout-call-policy.ts); "" there: an admin's call, any user's. */
export function checkoutRoutes({ commands, notifications, store, outbox, deadLetters, logger }: CheckoutRoutesDeps) {
  /** One checkout's events, oldest first. */
  async function eventsOf(checkoutId: string) {
    const { id } = await findCheckout(checkoutId);
    return aggregateEvents(outbox, id);
  }

  /** Unknown, malformed and other users' checkouts all look the same: not found. */
  async function findCheckout(checkoutId: string, userId = "") {
    const session = isUuid(checkoutId) ? await store.load(checkoutId) : undefined;
    if (!session || (userId !== "" && session.userId !== userId)) throw checkoutNotFound(checkoutId);
    return session;
  }

  return (router: ConnectRouter) =>
    router.service(CheckoutService, {
      async initiateCheckout(req, ctx) {
        const result = await commands.initiate({
          userId: actingUser(ctx),
          idempotencyKey: req.idempotencyKey,
          paymentMethod: req.paymentMethod && {
            type: req.paymentMethod.type,
            token: req.paymentMethod.token,
            ...(req.paymentMethod.store === "" ? {} : { store: req.paymentMethod.store }),
          },
          shippingAddress: req.shippingAddress && fromShippingAddressProto(req.shippingAddress),
          stepMode: req.stepMode,
          // The field rule caps it at 2^53 - 1: exact as a number.
          points: Number(req.points),
        });
        if (result.kind === "replayed") return { ...decodeInitiateResponse(result.response), replayed: true };
        return create(InitiateCheckoutResponseSchema, {
          checkout: toCheckoutMessage(result.session, { history: true }),
          replayed: false,
        });
      },

      async getCheckout(req, ctx) {
        return { checkout: toCheckoutMessage(await findCheckout(req.checkoutId, actingUser(ctx)), { history: true }) };
      },

      async advanceCheckout(req) {
        await findCheckout(req.checkoutId);
        return { checkout: toCheckoutMessage(await commands.advance(req.checkoutId), { history: true }) };
      },

      async retryCheckout(req, ctx) {
        await findCheckout(req.checkoutId);
        const actor = callActor(ctx);
        logger.info({ checkoutId: req.checkoutId, actor }, "checkout retried by an operator");
        const session = await commands.retry(req.checkoutId);
        logger.info({ checkoutId: session.id, status: session.status, actor }, `retried checkout: ${session.status}`);
        return { checkout: toCheckoutMessage(session, { history: true }) };
      },

      async listCheckoutEvents(req) {
        return { events: (await eventsOf(req.checkoutId)).map(toOutboxEventMessage) };
      },

      async replayCheckoutEvents(req, ctx) {
        const events = await eventsOf(req.checkoutId);
        const requeued = new Set(await outbox.requeue(events.filter((e) => e.publishedAt).map((e) => e.id)));
        const replayed = events.filter((e) => requeued.has(e.id));
        logger.info(
          { checkoutId: req.checkoutId, actor: callActor(ctx), eventIds: replayed.map((e) => e.eventId) },
          `checkout events replayed by an operator: ${replayed.length}`,
        );
        return { requeued: replayed.map(toOutboxEventMessage) };
      },

      async getOutboxStatus() {
        return { status: toOutboxStatusMessage(CHECKOUT_EVENTS_TOPIC, await outbox.status()) };
      },

      async listDeadLetters(req) {
        const parked = await deadLetters.list({
          limit: pageSize(req.pageSize),
          includeRepublished: req.includeRepublished,
        });
        return { deadLetters: parked.deadLetters.map(toDeadLetterMessage), total: BigInt(parked.total) };
      },

      async republishDeadLetters(_req, ctx) {
        const actor = callActor(ctx);
        logger.info({ actor }, "dead letters republished by an operator");
        const { republished, skipped } = await deadLetters.republish();
        logger.info(
          { actor, eventIds: republished.map((d) => d.eventId), skipped: skipped.length },
          `dead letters republished: ${republished.length}, skipped (undecodable): ${skipped.length}`,
        );
        return { republished: republished.map(toDeadLetterMessage), skipped: skipped.map(toDeadLetterMessage) };
      },

      async listCheckouts(req, ctx) {
        const limit = pageSize(req.pageSize);
        // Every defined status (the field rule) is a saga state; UNSPECIFIED filters nothing.
        const status = statusFromMessage(req.status);
        const rows = await store.list({
          userId: actingUser(ctx) || undefined,
          status,
          needsAttention: req.needsAttention,
          limit: limit + 1,
          after: newestFirstPageToken.decode(req.pageToken),
        });
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        return {
          checkouts: page.map((s) => toCheckoutMessage(s, { history: false })),
          nextPageToken: rows.length > limit && last ? newestFirstPageToken.encode(last) : "",
        };
      },

      async recordPaymentNotification(req) {
        const outcome = await notifications.record({
          webhookId: req.webhookId,
          // The field rule allows only the three types.
          type: req.type as "payment.succeeded" | "payment.expired" | "payment.failed",
          paymentId: req.paymentId,
          checkoutId: req.checkoutId,
        });
        return {
          firstDelivery: outcome.firstDelivery,
          ignored: outcome.ignored,
          checkout: outcome.session && toCheckoutMessage(outcome.session, { history: true }),
        };
      },
    });
}
