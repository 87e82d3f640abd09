import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { commonHeaders, jsonRequestBody, jsonResponse, problemResponses } from "../openapi/responses.js";
import { PaymentWebhookReceiptSchema, PaymentWebhookSchema, ProblemSchema } from "../openapi/schemas.js";
import { PROBLEM_CONTENT_TYPE, ProblemError, problem } from "../problems.js";
import { jsonBody } from "../validation/json-body.js";

/** The Standard Webhooks headers, as the provider sends them. */
const SIGNATURE_HEADERS = ["webhook-id", "webhook-timestamp", "webhook-signature"] as const;

const signatureHeaders = z.object({
  "webhook-id": z
    .string()
    .optional()
    .openapi({ description: "The notification's id: the same on every retry", example: "msg_2b7d8a1f5c42" }),
  "webhook-timestamp": z.string().optional().openapi({
    description: "Unix seconds when this attempt was signed; older than 5 minutes is refused",
    example: "1767225900",
  }),
  "webhook-signature": z.string().optional().openapi({
    description: "`v1,<base64 HMAC-SHA256>` over `id.timestamp.body` with PAYMENT_WEBHOOK_SECRET",
    example: "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
  }),
});

/** POST /webhooks/payments, verifying with `secret` (the route's OpenAPI is the same whatever the secret). */
export const paymentWebhookRoute = (secret: string) =>
  createRoute({
    operationId: "receivePaymentWebhook",
    tags: ["webhooks"],
    summary: "The payment provider's signed notifications (no bearer token)",
    description:
      "Verified per the Standard Webhooks spec with PAYMENT_WEBHOOK_SECRET, over the body's exact bytes, before " +
      "anything is parsed: a missing, wrong or stale (> 5 minutes) signature → 401 and nothing changes. Then the " +
      "checkout moves: `payment.succeeded` completes it, `payment.expired` / `payment.failed` compensate it. The same " +
      "`webhook-id` twice → 200 with `duplicate: true`, nothing done twice. A notification for an unknown checkout → 200 " +
      "with `ignored: true` (nothing can ever come of it; the provider stops). 503: not acted on yet (the checkout was busy or a service was down; the notification may be recorded, " +
      "but the redelivery is what moves the checkout), the provider retries.",
    method: "post",
    path: "/payments",
    middleware: [verifySignature(secret), jsonBody()] as const,
    request: {
      headers: signatureHeaders,
      body: jsonRequestBody(PaymentWebhookSchema, "The notification, as signed"),
    },
    responses: {
      200: jsonResponse(PaymentWebhookReceiptSchema, "Recorded (or recognised as a repeat, or ignored)"),
      401: {
        description: "invalid-webhook-signature: missing, wrong or stale (> 5 minutes) signature; nothing changed",
        headers: commonHeaders,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
      },
      ...problemResponses(400, 413, 415, 429, 499, 503, 504),
    },
  });

/**
 * Checks the Standard Webhooks signature over the body's exact bytes (read before anything parses
 * them; the validator then reads the same cached body) with the library the provider signs with.
 * Anything wrong → 401 problem, before any service is called.
 */
function verifySignature(secret: string): MiddlewareHandler<GatewayEnv> {
  const webhook = new Webhook(secret);
  return async function verifySignature(c, next) {
    const headers: Record<string, string> = {};
    for (const name of SIGNATURE_HEADERS) headers[name] = c.req.header(name) ?? "";
    const body = Buffer.from(await c.req.arrayBuffer());
    try {
      webhook.verify(body, headers, { jsonParse: false });
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
      throw new ProblemError(
        problem("invalid-webhook-signature", 401, `the webhook's signature does not verify: ${err.message}`),
      );
    }
    await next();
  };
}

/**
 * POST /webhooks/payments: the provider's notifications, verified, passed on to the checkout
 * service (RecordPaymentNotification, which dedupes by webhook-id and moves the saga). No bearer
 * token: the signature is the credential.
 */
export function paymentWebhookRoutes(
  clients: Pick<GatewayClients, "checkout">,
  options: { secret: string },
): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>();
  app.openapi(paymentWebhookRoute(options.secret), async (c) => {
    const notification = c.req.valid("json");
    const res = await clients.checkout.recordPaymentNotification(
      {
        webhookId: c.req.header("webhook-id") ?? "",
        type: notification.type,
        paymentId: notification.data.payment_id,
        checkoutId: notification.data.checkout_id,
      },
      callOptions(c),
    );
    return c.json({ received: true as const, duplicate: !res.firstDelivery, ignored: res.ignored }, 200);
  });
  return app;
}
