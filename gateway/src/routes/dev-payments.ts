import type { PaymentService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import type { Client } from "@connectrpc/connect";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { callOptions, type GatewayEnv } from "../context.js";
import { devPaymentJson } from "../mappers/payment.js";
import { jsonResponse, problemResponses } from "../openapi/responses.js";
import { DevPaymentSchema } from "../openapi/schemas.js";
import { requestBindings } from "./request-bindings.js";

const { payKonbini } = requestBindings;

export const payKonbiniRoute = createRoute({
  operationId: "payKonbini",
  tags: ["dev"],
  summary: "Pay a konbini voucher as a customer at the till would (only when AUTH_DEV_TOKENS=true)",
  description:
    "The mock provider marks the payment SUCCEEDED and sends its signed `payment.succeeded` webhook, which completes " +
    "the checkout. Already paid → 200 with the payment unchanged. 404 `konbini-voucher-not-found`; 409 " +
    "`konbini-voucher-expired` (past its expires_at) or `konbini-voucher-voided` (its checkout gave up on it).",
  method: "post",
  path: "/payments/konbini/{confirmation_number}/pay",
  request: { params: payKonbini.params },
  responses: {
    200: jsonResponse(DevPaymentSchema, "The payment, SUCCEEDED (or REFUNDED when it was paid and refunded before)"),
    ...problemResponses(400, 404, 409, 429, 499, 503, 504),
  },
});

/** POST /dev/payments/konbini/{confirmation_number}/pay: PaymentService.PayKonbini, for dev tools. */
export function devPaymentRoutes(payments: Client<typeof PaymentService>): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>();
  app.openapi(payKonbiniRoute, async (c) => {
    const res = await payments.payKonbini(payKonbini.rpcRequest(c), callOptions(c));
    if (!res.payment) throw new Error("payment service answered PayKonbini without a payment");
    return c.json(devPaymentJson(res.payment), 200);
  });
  return app;
}
