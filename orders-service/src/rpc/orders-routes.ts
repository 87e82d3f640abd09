import {
  actingUser,
  aggregateEvents,
  callActor,
  invalidArgument,
  isUuid,
  type Logger,
  newestFirstPageToken,
  ORDER_EVENTS_TOPIC,
  type OutboxQueries,
  pageSize,
  toOutboxEventMessage,
  toOutboxStatusMessage,
} from "@checkout-saga/shared";
import { OrdersService } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import type { CancellationCommands } from "../cancellation/cancellation-commands.js";
import { cancellationNotFound, orderNotFound } from "../domain/not-found.js";
import type { OrderMove } from "../domain/order-status.js";
import type { OrderStore } from "../domain/order-store.js";
import { cancelOrder } from "./cancel-order.js";
import { toOperatorCancellationMessage, toOrderMessage } from "./order-message.js";

/**
 * Orders of the user the call acts for (orders-call-policy.ts); "" there: an admin's call, any
 * user's. Shipping and delivering are admins' (the policy), logged with who made them; a
 * cancellation runs the cancellation saga (cancel-order.ts).
 */
export function ordersRoutes(
  orders: OrderStore,
  cancellations: CancellationCommands,
  /** The outbox's status and one order's rows, for operators. */
  outbox: Pick<OutboxQueries, "status" | "list">,
  logger: Logger,
) {
  async function move(req: { orderId: string; reason: string }, ctx: HandlerContext, move: OrderMove) {
    const actor = callActor(ctx);
    const order = isUuid(req.orderId)
      ? await orders.move(req.orderId.toLowerCase(), move, { actor, reason: req.reason })
      : undefined;
    if (!order) throw orderNotFound(req.orderId);
    logger.info({ orderId: order.id, move, status: order.status, actor }, `order ${move}: ${order.status}`);
    return { order: toOrderMessage(order) };
  }

  return (router: ConnectRouter) =>
    router.service(OrdersService, {
      async getOutboxStatus() {
        return { status: toOutboxStatusMessage(ORDER_EVENTS_TOPIC, await outbox.status()) };
      },

      async listOrderEvents(req) {
        const orderId = req.orderId.toLowerCase();
        // Only whether it exists: its lines, history and cancellations are not needed here.
        if (!isUuid(req.orderId) || !(await orders.exists(orderId))) throw orderNotFound(req.orderId);
        return { events: (await aggregateEvents(outbox, orderId)).map(toOutboxEventMessage) };
      },

      async getOrder(req, ctx) {
        const userId = actingUser(ctx);
        const order = isUuid(req.orderId) ? await orders.get(req.orderId.toLowerCase()) : undefined;
        // Another user's order is reported exactly like a missing one, so ids reveal nothing.
        if (!order || (userId !== "" && order.userId !== userId)) throw orderNotFound(req.orderId);
        return { order: toOrderMessage(order) };
      },

      async listOrders(req, ctx) {
        const userId = actingUser(ctx);
        if (userId === "") {
          throw invalidArgument("INVALID_ARGUMENT", "user_id is required", { metadata: { field: "user_id" } });
        }
        const page = await orders.list({
          userId,
          checkoutId: req.checkoutId === "" ? undefined : req.checkoutId,
          limit: pageSize(req.pageSize),
          after: newestFirstPageToken.decode(req.pageToken),
        });
        return {
          orders: page.orders.map(toOrderMessage),
          nextPageToken: page.next === undefined ? "" : newestFirstPageToken.encode(page.next),
        };
      },

      shipOrder: (req, ctx) => move(req, ctx, "ship"),
      deliverOrder: (req, ctx) => move(req, ctx, "deliver"),
      cancelOrder: (req, ctx) => cancelOrder(cancellations, req, ctx),

      async listCancellations(req) {
        const limit = pageSize(req.pageSize);
        const rows = await cancellations.list({
          status: req.status || undefined,
          needsAttention: req.needsAttention,
          userId: req.userId || undefined,
          limit: limit + 1,
          after: newestFirstPageToken.decode(req.pageToken),
        });
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        return {
          cancellations: page.map(toOperatorCancellationMessage),
          nextPageToken: rows.length > limit && last ? newestFirstPageToken.encode(last) : "",
        };
      },

      async getCancellation(req) {
        const cancellation = await cancellations.get(knownCancellationId(req.cancellationId));
        return { cancellation: toOperatorCancellationMessage(cancellation) };
      },

      async retryCancellation(req, ctx) {
        const cancellationId = knownCancellationId(req.cancellationId);
        const actor = callActor(ctx);
        logger.info({ cancellationId: req.cancellationId, actor }, "cancellation retried by an operator");
        const retried = await cancellations.retry(cancellationId);
        logger.info(
          { cancellationId: retried.id, status: retried.status, actor },
          `retried cancellation: ${retried.status}`,
        );
        return { cancellation: toOperatorCancellationMessage(retried) };
      },
    });
}

/** The id as the store keys it; one that is no UUID names no cancellation (NOT_FOUND, as an unknown one). */
function knownCancellationId(cancellationId: string): string {
  if (!isUuid(cancellationId)) throw cancellationNotFound(cancellationId);
  return cancellationId.toLowerCase();
}
