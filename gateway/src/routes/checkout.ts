import { Hono } from "hono";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { addressProto } from "../mappers/address.js";
import { checkoutJson } from "../mappers/checkout.js";
import { ProblemError, problem } from "../problems.js";
import { readJsonBody } from "../validation/json-body.js";
import { pathId } from "../validation/request-parts.js";
import { boolean, object, oneOf, string } from "../validation/schema.js";
import { checkoutOutcome } from "./checkout-outcome.js";

const checkoutBody = object(
  {
    payment_method: object({ type: oneOf("card"), token: string({ max: 255 }) }),
    shipping_address: object(
      {
        name: string({ max: 200 }),
        phone: string({ max: 40, pattern: /^[0-9+()\-. ]+$/, hint: "a phone number (digits, spaces and + ( ) - .)" }),
        postal_code: string({ max: 20 }),
        region: string({ max: 100 }),
        city: string({ max: 100 }),
        line1: string({ max: 200 }),
        country: string({ max: 100, pattern: /^[A-Z]{2}$/, hint: 'an ISO 3166-1 alpha-2 code like "JP"' }),
      },
      { line2: string({ min: 0, max: 200 }) },
    ),
  },
  // Honoured only when the checkout service runs with SAGA_STEP_MODE=true.
  { step_mode: boolean() },
);

/** 1..255 printable ASCII characters, as the header allows. */
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

function idempotencyKey(header: string | undefined): string {
  if (header === undefined || header === "") {
    throw new ProblemError(
      problem(
        "idempotency-key-missing",
        400,
        "POST /checkout needs an Idempotency-Key header (1..255 printable ASCII)",
      ),
    );
  }
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw new ProblemError(
      problem("invalid-idempotency-key", 400, "the Idempotency-Key must be 1..255 printable ASCII characters"),
    );
  }
  return header;
}

/** POST /checkout starts the saga for the caller's cart; GET /checkout/{id} shows it with its history. */
export function checkoutRoutes(clients: Pick<GatewayClients, "checkout">): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();

  app.post("/", async (c) => {
    const key = idempotencyKey(c.req.header("idempotency-key"));
    const body = await readJsonBody(c, checkoutBody);
    const res = await clients.checkout.initiateCheckout(
      {
        userId: c.get("userId"),
        idempotencyKey: key,
        paymentMethod: { type: body.payment_method.type, token: body.payment_method.token },
        shippingAddress: addressProto(body.shipping_address),
        stepMode: body.step_mode ?? false,
      },
      callOptions(c),
    );
    if (!res.checkout) throw new Error("checkout service answered InitiateCheckout without a checkout");
    const headers: Record<string, string> = res.replayed ? { "Idempotent-Replayed": "true" } : {};
    const outcome = checkoutOutcome(res.checkout);
    if (outcome.kind === "problem") throw new ProblemError(outcome.problem, headers);
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    c.header("Location", `/api/v1/checkout/${encodeURIComponent(outcome.body.checkout_id)}`);
    return c.json(outcome.body, outcome.status);
  });

  app.get("/:id", async (c) => {
    const checkoutId = pathId(c, "id");
    const res = await clients.checkout.getCheckout({ checkoutId, userId: c.get("userId") }, callOptions(c));
    if (!res.checkout) throw new Error(`checkout service answered GetCheckout(${checkoutId}) without a checkout`);
    return c.json(checkoutJson(res.checkout, { history: true }));
  });

  return app;
}
