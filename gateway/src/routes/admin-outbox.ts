import type { OutboxStatus } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/common_pb";
import { ConnectError } from "@connectrpc/connect";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { isoTime } from "../mappers/json.js";
import { ADMIN_ROUTE, AUTHENTICATED_PROBLEMS, jsonResponse, problemResponses } from "../openapi/responses.js";
import { OutboxesSchema, type OutboxStatusJson } from "../openapi/schemas.js";

export const getOutboxesRoute = createRoute({
  ...ADMIN_ROUTE,
  operationId: "getOutboxes",
  summary: "Every service's transactional outbox: what waits for the relay, how long, and how fast rows go out",
  description:
    "One entry per service that publishes through an outbox. A service that does not answer is listed with " +
    "`error` instead of its figures, so one outage does not hide the others.",
  method: "get",
  path: "/",
  responses: {
    200: jsonResponse(OutboxesSchema, "The outboxes"),
    ...problemResponses(403, ...AUTHENTICATED_PROBLEMS),
  },
});

function statusJson(service: string, s: OutboxStatus | undefined): OutboxStatusJson {
  return {
    service,
    topic: s?.topic ?? "",
    pending: Number(s?.pending ?? 0),
    oldest_pending_at: isoTime(s?.oldestPendingAt),
    oldest_pending_age_seconds: s?.oldestPendingAt ? s.oldestPendingAgeSeconds : null,
    last_published_id: s?.lastPublishedId || null,
    last_published_at: isoTime(s?.lastPublishedAt),
    published_last_minute: Number(s?.publishedLastMinute ?? 0),
    published_last_5_minutes: Number(s?.publishedLast5Minutes ?? 0),
  };
}

/** Operators' view of the outboxes (mounted under /admin/outbox). */
export function adminOutboxRoutes(clients: Pick<GatewayClients, "checkout" | "orders">): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>();

  app.openapi(getOutboxesRoute, async (c) => {
    const sources = [
      { service: "checkout-service", read: () => clients.checkout.getOutboxStatus({}, callOptions(c)) },
      { service: "orders-service", read: () => clients.orders.getOutboxStatus({}, callOptions(c)) },
    ];
    const answers = await Promise.allSettled(sources.map((s) => s.read()));
    const outboxes = answers.map((answer, i) => {
      const { service } = sources[i] as (typeof sources)[number];
      if (answer.status === "fulfilled") return statusJson(service, answer.value.status);
      return { service, error: ConnectError.from(answer.reason).rawMessage };
    });
    return c.json({ outboxes }, 200);
  });

  return app;
}
