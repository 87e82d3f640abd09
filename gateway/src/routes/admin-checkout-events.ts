import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { outboxEventJson } from "../mappers/outbox.js";
import { ADMIN_ROUTE, AUTHENTICATED_PROBLEMS, jsonResponse, problemResponses } from "../openapi/responses.js";
import { OutboxEventsSchema } from "../openapi/schemas.js";
import { requestBindings } from "./request-bindings.js";

const { listCheckoutEvents, replayCheckoutEvents } = requestBindings;

export const listCheckoutEventsRoute = createRoute({
  ...ADMIN_ROUTE,
  operationId: "listCheckoutEvents",
  summary: "One checkout's events in the checkout service's outbox, oldest first: published, or waiting for the relay",
  method: "get",
  path: "/{id}/events",
  request: { params: listCheckoutEvents.params },
  responses: {
    200: jsonResponse(OutboxEventsSchema, "The checkout's events"),
    ...problemResponses(400, 403, 404, ...AUTHENTICATED_PROBLEMS),
  },
});

export const replayCheckoutEventsRoute = createRoute({
  ...ADMIN_ROUTE,
  operationId: "replayCheckoutEvents",
  summary: "Send one checkout's published events again, with their original event ids (consumers dedupe them)",
  description:
    "Marks the checkout's published outbox rows unpublished, so the running relay sends them again; " +
    "answers the events requeued (none while they still wait for the relay). Logged with who asked.",
  method: "post",
  path: "/{id}/events/replay",
  request: { params: replayCheckoutEvents.params },
  responses: {
    200: jsonResponse(OutboxEventsSchema, "The events requeued"),
    ...problemResponses(400, 403, 404, ...AUTHENTICATED_PROBLEMS),
  },
});

/** A checkout's events, for operators: what it told the other services, and sending it again (mounted under /admin/checkouts). */
export function adminCheckoutEventRoutes(clients: Pick<GatewayClients, "checkout">): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>();

  app.openapi(listCheckoutEventsRoute, async (c) => {
    const res = await clients.checkout.listCheckoutEvents(listCheckoutEvents.rpcRequest(c), callOptions(c));
    return c.json({ items: res.events.map(outboxEventJson) }, 200);
  });

  app.openapi(replayCheckoutEventsRoute, async (c) => {
    const res = await clients.checkout.replayCheckoutEvents(replayCheckoutEvents.rpcRequest(c), callOptions(c));
    return c.json({ items: res.requeued.map(outboxEventJson) }, 200);
  });

  return app;
}
