import type { PointsService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/points_pb";
import type { Client } from "@connectrpc/connect";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { callOptions, type GatewayEnv } from "../context.js";
import { pointsJson } from "../mappers/points.js";
import { AUTHENTICATED_PROBLEMS, bearerSecurity, jsonResponse, problemResponses } from "../openapi/responses.js";
import { PointsSchema } from "../openapi/schemas.js";
import { requestBindings } from "./request-bindings.js";

const { getPoints } = requestBindings;

export const getPointsRoute = createRoute({
  operationId: "getPoints",
  tags: ["points"],
  summary: "The caller's points: balance, lots with expiry, history",
  description:
    "JPY only, 1 point = ¥1. A completed checkout earns 1% of what was charged, as a lot that expires 365 days " +
    "later; a checkout may redeem points, and cancelling its order gives them back to the same lots.",
  method: "get",
  path: "/",
  security: bearerSecurity,
  request: { query: getPoints.query },
  responses: {
    200: jsonResponse(PointsSchema, "The caller's balance, unexpired lots and latest history"),
    ...problemResponses(400, ...AUTHENTICATED_PROBLEMS),
  },
});

/** The caller's points, kept by the payment service's ledger. */
export function pointsRoutes(points: Client<typeof PointsService>): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>();

  app.openapi(getPointsRoute, async (c) => {
    const res = await points.getPoints({ ...getPoints.rpcRequest(c), userId: c.get("userId") }, callOptions(c));
    return c.json(pointsJson(res), 200);
  });

  return app;
}
