import type { DeadLetter } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { isoTime } from "../mappers/json.js";
import { ADMIN_ROUTE, AUTHENTICATED_PROBLEMS, jsonResponse, problemResponses } from "../openapi/responses.js";
import { type DeadLetterJson, DeadLettersSchema, RepublishedDeadLettersSchema } from "../openapi/schemas.js";
import { requestBindings } from "./request-bindings.js";

const { listDeadLetters } = requestBindings;

export const listDeadLettersRoute = createRoute({
  ...ADMIN_ROUTE,
  operationId: "listDeadLetters",
  summary: "The checkout events consumers gave up on and parked, oldest first: which group, why and when",
  description:
    "Production reads checkout-events.dlq; embedded mode, the in-process bus's memory. Pending ones only " +
    "unless `include_republished`; `POST /admin/dead-letters/republish` sends them back.",
  method: "get",
  path: "/",
  request: { query: listDeadLetters.query },
  responses: {
    200: jsonResponse(DeadLettersSchema, "The dead letters"),
    ...problemResponses(400, 403, ...AUTHENTICATED_PROBLEMS),
  },
});

export const republishDeadLettersRoute = createRoute({
  ...ADMIN_ROUTE,
  operationId: "republishDeadLetters",
  summary: "Send every pending dead letter back once its cause is fixed, with its original event id (groups dedupe)",
  description:
    "Production sends them to checkout-events, as `npm run outbox -- dead-letters republish` does; embedded " +
    "mode delivers each to the group that parked it. Undecodable ones are skipped; one that fails again is " +
    "parked again. Logged with who asked.",
  method: "post",
  path: "/republish",
  responses: {
    200: jsonResponse(RepublishedDeadLettersSchema, "What was sent back, and what was skipped"),
    ...problemResponses(403, ...AUTHENTICATED_PROBLEMS),
  },
});

function deadLetterJson(d: DeadLetter): DeadLetterJson {
  return {
    topic: d.topic,
    position: d.position
      ? { topic: d.position.topic, partition: d.position.partition, offset: Number(d.position.offset) }
      : null,
    key: d.key,
    event_id: d.eventId || null,
    event_type: d.eventType || null,
    consumer_group: d.consumerGroup,
    error: d.error,
    attempts: d.attempts,
    parked_at: isoTime(d.parkedAt),
    pending: d.pending,
  };
}

/** Operators' view of the dead letters, and sending them back (mounted under /admin/dead-letters). */
export function adminDeadLetterRoutes(clients: Pick<GatewayClients, "checkout">): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>();

  app.openapi(listDeadLettersRoute, async (c) => {
    const res = await clients.checkout.listDeadLetters(listDeadLetters.rpcRequest(c), callOptions(c));
    return c.json({ items: res.deadLetters.map(deadLetterJson), total: Number(res.total) }, 200);
  });

  app.openapi(republishDeadLettersRoute, async (c) => {
    const res = await clients.checkout.republishDeadLetters({}, callOptions(c));
    return c.json({ republished: res.republished.map(deadLetterJson), skipped: res.skipped.map(deadLetterJson) }, 200);
  });

  return app;
}
