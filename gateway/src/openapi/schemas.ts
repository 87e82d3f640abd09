import { ClaimStateSchema } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import { CheckoutStatusSchema } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { z } from "@hono/zod-openapi";
import { exampleAddress } from "./field-docs.js";

/*
 * The REST API's response shapes, one zod schema each: the OpenAPI document is generated from
 * them, and the response types of the mappers are inferred from them. Request shapes are not
 * here: they are generated from the RPC requests' field rules (routes/request-bindings.ts).
 * Every named schema carries an example that the tests validate against it.
 */

const iso = (example: string) => z.string().openapi({ format: "date-time", example });

export const MoneySchema = z
  .object({
    currency: z.string().openapi({ description: "ISO 4217 code", example: "USD" }),
    amount_minor: z.int().openapi({ description: "Integer amount in minor units (cents, yen)", example: 129999 }),
  })
  .openapi("Money", { example: { currency: "USD", amount_minor: 129999 } });

const usd = (amount_minor: number) => ({ currency: "USD", amount_minor });
const jpy = (amount_minor: number) => ({ currency: "JPY", amount_minor });

const productExample = {
  id: "1",
  name: "Laptop",
  description: "A 14-inch laptop",
  price: usd(129999),
  prices: [jpy(189800), usd(129999)],
  tax_class: "standard" as const,
  image_url: "/images/laptop.png",
  sellable: true,
  available: 5,
};

/**
 * Money or null, as anyOf: zod-to-openapi turns `.nullable()` on a referenced schema into an
 * allOf with the reference, which null can never satisfy.
 */
const nullableMoney = z.union([MoneySchema, z.null()]);
export const ProductSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    price: nullableMoney.openapi({
      description:
        "The price in the requested currency (`?currency=`, default the store's); null when the product is not sold in it — never a converted guess",
    }),
    prices: z.array(MoneySchema).openapi({ description: "One price per currency the product is sold in" }),
    tax_class: z
      .enum(["standard", "reduced"])
      .openapi({ description: "Which tax rate applies (JPY: standard 10%, reduced 8%); prices include the tax" }),
    image_url: z.string(),
    sellable: z.boolean().openapi({
      description:
        "False once an admin took it off sale: still listed, but it cannot be added to a cart or bought (409 product-not-sellable)",
    }),
    available: z.int().min(0).openapi({ description: "The inventory service's current available count" }),
  })
  .openapi("Product", { example: productExample });

export const StockSchema = z
  .object({
    product_id: z.string(),
    available: z.int().min(0).openapi({ description: "Units for sale" }),
    reserved: z.int().min(0).openapi({ description: "Units held by checkouts under way" }),
  })
  .openapi("Stock", { example: { product_id: "2", available: 210, reserved: 3 } });

export const ProductPageSchema = z
  .object({ items: z.array(ProductSchema), next_page_token: z.string().nullable() })
  .openapi("ProductPage", { example: { items: [productExample], next_page_token: null } });

const cartExample = {
  currency: "USD",
  items: [{ product_id: "2", name: "Mouse", quantity: 2, unit_price: usd(2999), subtotal: usd(5998) }],
  total: usd(5998),
};

export const CartLineSchema = z
  .object({
    product_id: z.string(),
    name: z.string().nullable().openapi({ description: "Null (with the prices) for a product no longer sold" }),
    quantity: z.int(),
    unit_price: nullableMoney.openapi({
      description: "In the cart's currency; null (with the subtotal) when the product is no longer sold in it",
    }),
    subtotal: nullableMoney,
  })
  .openapi("CartLine", { example: cartExample.items[0] });

export const CartSchema = z
  .object({
    currency: z.string().openapi({
      description: "ISO 4217: every line is priced in it (`STORE_CURRENCY` until changed with PATCH)",
      example: "USD",
    }),
    items: z.array(CartLineSchema),
    total: MoneySchema,
  })
  .openapi("Cart", { example: cartExample });

/** cart.proto's ClaimState names; UNSPECIFIED is never answered. */
const CLAIM_STATES = ClaimStateSchema.values.map((v) => v.localName).filter((n) => n !== "UNSPECIFIED") as [
  string,
  ...string[],
];

export const CartClaimSchema = z
  .object({
    state: z.enum(CLAIM_STATES).openapi({
      description:
        "HELD: the checkout's outcome is not consumed yet; SETTLED: CheckoutCompleted was, the lines left the cart; " +
        "RELEASED: the checkout was undone (ReleaseCartClaim or CheckoutFailed), the lines stayed; " +
        "UNKNOWN: the cart has no record of the checkout",
    }),
    lines: z.array(z.object({ product_id: z.string(), quantity: z.int() })),
    changed_at: iso("2026-01-01T00:00:01.500Z").nullable().openapi({ description: "When it reached its state" }),
  })
  .openapi("CartClaim", {
    example: {
      state: "SETTLED",
      lines: [{ product_id: "2", quantity: 1 }],
      changed_at: "2026-01-01T00:00:01.500Z",
    },
  });

/** The saga's states as checkout.proto's CheckoutStatus names them: one source for the wire and the document. */
export const CHECKOUT_STATUSES = CheckoutStatusSchema.values.map((v) => v.localName) as [string, ...string[]];
const checkoutStatus = z.enum(CHECKOUT_STATUSES);

const checkoutItemExample = {
  product_id: "1",
  name: "Laptop",
  quantity: 1,
  unit_price: usd(129999),
  subtotal: usd(129999),
};

export const CheckoutItemSchema = z
  .object({
    product_id: z.string(),
    name: z.string(),
    quantity: z.int(),
    unit_price: MoneySchema,
    subtotal: MoneySchema,
  })
  .openapi("CheckoutItem", { example: checkoutItemExample });

export const TransitionSchema = z
  .object({
    from: checkoutStatus,
    to: checkoutStatus,
    reason: z.string(),
    at: iso("2026-01-01T00:00:01.000Z").nullable(),
  })
  .openapi("Transition", {
    example: { from: "INITIATED", to: "INVENTORY_RESERVED", reason: "stock reserved", at: "2026-01-01T00:00:01.000Z" },
  });

const totalsExample = {
  subtotal: jpy(191420),
  points_redeemed: jpy(0),
  total: jpy(191420),
  tax: {
    included: true,
    lines: [
      { rate: "10%", taxable: jpy(189800), tax: jpy(17254) },
      { rate: "8%", taxable: jpy(1620), tax: jpy(120) },
    ],
  },
};

export const TotalsSchema = z
  .object({
    subtotal: MoneySchema.openapi({ description: "The lines' sum" }),
    points_redeemed: MoneySchema.openapi({ description: "Points taken off (zero for now)" }),
    total: MoneySchema.openapi({ description: "What is charged" }),
    tax: z
      .object({
        included: z
          .literal(true)
          .openapi({ description: "The prices include the tax; the lines show what they contain" }),
        lines: z.array(
          z.object({
            rate: z.string().openapi({ example: "10%" }),
            taxable: MoneySchema.openapi({ description: "The tax-inclusive total of the lines at this rate" }),
            tax: MoneySchema.openapi({
              description: "floor(taxable × rate / (100 + rate)): once per rate, rounded down",
            }),
          }),
        ),
      })
      .nullable()
      .openapi({
        description:
          "The tax contained, per rate, highest first (JPY: consumption tax 10% / 8%); null for other currencies",
      }),
  })
  .openapi("Totals", { example: totalsExample });
export const KonbiniDisplayDetailsSchema = z
  .object({
    confirmation_number: z.string().openapi({ description: "11 digits, quoted at the till", example: "12345678901" }),
    store: z
      .string()
      .optional()
      .openapi({ description: "The chain chosen at checkout; absent: any", example: "lawson" }),
    expires_at: iso("2026-01-04T00:00:00.000Z").openapi({ description: "The voucher cannot be paid from then on" }),
  })
  .openapi("KonbiniDisplayDetails", {
    example: { confirmation_number: "12345678901", store: "lawson", expires_at: "2026-01-04T00:00:00.000Z" },
  });

export const NextActionSchema = z
  .object({
    type: z.enum(["konbini_display_details"]),
    konbini: KonbiniDisplayDetailsSchema,
  })
  .openapi("NextAction", {
    example: {
      type: "konbini_display_details",
      konbini: { confirmation_number: "12345678901", expires_at: "2026-01-04T00:00:00.000Z" },
    },
  });

export const CheckoutSchema = z
  .object({
    checkout_id: z.string(),
    status: checkoutStatus,
    total: MoneySchema,
    totals: TotalsSchema,
    items: z.array(CheckoutItemSchema),
    failure_reason: z.string().optional().openapi({
      description:
        "OUT_OF_STOCK, PAYMENT_DECLINED, PAYMENT_EXPIRED, PAYMENT_FAILED, RESERVATION_LOST, STEP_FAILED, … when FAILED",
    }),
    failure_detail: z.string().optional(),
    decline_code: z.string().optional(),
    payment_deadline: iso("2026-01-01T00:10:00.000Z")
      .optional()
      .openapi({ description: "While PAYMENT_PENDING: when the saga stops waiting for the payment" }),
    next_action: NextActionSchema.optional().openapi({
      description:
        "While PAYMENT_PENDING for a pay-later method: what the customer must do (konbini: pay at the store)",
    }),
    created_at: iso("2026-01-01T00:00:00.000Z").nullable(),
    updated_at: iso("2026-01-01T00:00:02.000Z").nullable(),
    history: z.array(TransitionSchema).optional().openapi({ description: "Only on GET /checkout/{id}" }),
  })
  .openapi("Checkout", {
    example: {
      checkout_id: "0b9a3c1e-6f1f-4c0e-9d7e-2b7d8a1f5c42",
      status: "COMPLETED",
      total: usd(129999),
      totals: { subtotal: usd(129999), points_redeemed: usd(0), total: usd(129999), tax: null },
      items: [checkoutItemExample],
      created_at: "2026-01-01T00:00:00.000Z",
      updated_at: "2026-01-01T00:00:02.000Z",
    },
  });

/** A checkout as operators see it: whose it is, its saga's ids and whether it needs attention. */
const adminCheckoutExample = {
  checkout_id: "0b9a3c1e-6f1f-4c0e-9d7e-2b7d8a1f5c42",
  user_id: "alice",
  status: "COMPENSATING",
  total: usd(129999),
  totals: { subtotal: usd(129999), points_redeemed: usd(0), total: usd(129999), tax: null },
  items: [checkoutItemExample],
  reservation_id: "5f0e2a8e-0c41-4c55-9a3e-2f8f3b1d6c10",
  payment_id: "",
  step_mode: false,
  needs_attention: true,
  created_at: "2026-01-01T00:00:00.000Z",
  updated_at: "2026-01-01T00:00:02.000Z",
};

export const AdminCheckoutSchema = CheckoutSchema.extend({
  user_id: z.string(),
  reservation_id: z.string().openapi({ description: "Empty until the stock is reserved" }),
  payment_id: z.string().openapi({ description: "Empty until a charge was made" }),
  step_mode: z.boolean(),
  needs_attention: z.boolean().openapi({
    description:
      "Its compensation keeps failing: recovery retries it now and then; retry it now after fixing the cause",
  }),
}).openapi("AdminCheckout", { example: adminCheckoutExample });

export const AdminCheckoutPageSchema = z
  .object({ items: z.array(AdminCheckoutSchema), next_page_token: z.string().nullable() })
  .openapi("AdminCheckoutPage", { example: { items: [adminCheckoutExample], next_page_token: null } });

const outboxExample = {
  service: "checkout-service",
  topic: "checkout-events",
  pending: 3,
  oldest_pending_at: "2026-01-01T00:00:00.000Z",
  oldest_pending_age_seconds: 0.42,
  last_published_id: "10234",
  last_published_at: "2026-01-01T00:00:00.200Z",
  published_last_minute: 240,
  published_last_5_minutes: 1180,
};

export const OutboxStatusSchema = z
  .object({
    service: z.string(),
    topic: z.string(),
    pending: z.int().openapi({ description: "Rows the relay has not published yet" }),
    oldest_pending_at: iso("2026-01-01T00:00:00.000Z").nullable(),
    oldest_pending_age_seconds: z.number().nullable().openapi({ description: "By the database's clock" }),
    last_published_id: z.string().nullable(),
    last_published_at: iso("2026-01-01T00:00:00.200Z").nullable(),
    published_last_minute: z.int(),
    published_last_5_minutes: z.int(),
  })
  .openapi("OutboxStatus", { example: outboxExample });

export const OutboxesSchema = z
  .object({
    outboxes: z.array(
      z.union([
        OutboxStatusSchema,
        z.object({ service: z.string(), error: z.string().openapi({ description: "Why it did not answer" }) }),
      ]),
    ),
  })
  .openapi("Outboxes", {
    example: { outboxes: [outboxExample, { service: "orders-service", error: "orders-service is unavailable" }] },
  });

const outboxEventExample = {
  id: "42",
  event_id: "5b1f0c1e-7a51-4f5e-9c8b-0d4e3f2a1b6c",
  event_type: "CheckoutCompleted",
  topic: "checkout-events",
  key: "alice",
  created_at: "2026-01-01T00:00:00.000Z",
  published_at: "2026-01-01T00:00:00.120Z",
};

export const OutboxEventSchema = z
  .object({
    id: z.string().openapi({ description: "The outbox row's id (the outbox CLI's --id)" }),
    event_id: z.string(),
    event_type: z.string(),
    topic: z.string(),
    key: z.string().openapi({ description: "The partition key: the user id" }),
    created_at: iso("2026-01-01T00:00:00.000Z").nullable(),
    published_at: iso("2026-01-01T00:00:00.120Z")
      .nullable()
      .openapi({ description: "null while the relay has not published it" }),
  })
  .openapi("OutboxEvent", { example: outboxEventExample });

export const OutboxEventsSchema = z
  .object({ items: z.array(OutboxEventSchema) })
  .openapi("OutboxEvents", { example: { items: [outboxEventExample] } });

const deadLetterExample = {
  topic: "checkout-events",
  position: { topic: "checkout-events.dlq", partition: 0, offset: 17 },
  key: "alice",
  event_id: "5b1f0c1e-7a51-4f5e-9c8b-0d4e3f2a1b6c",
  event_type: "CheckoutCompleted",
  consumer_group: "orders-service",
  error: "Error: order lines do not match the catalog",
  attempts: 5,
  parked_at: "2026-01-01T00:00:00.000Z",
  pending: true,
};

export const DeadLetterSchema = z
  .object({
    topic: z.string().openapi({ description: "The topic it was consumed from" }),
    position: z
      .object({ topic: z.string(), partition: z.int(), offset: z.int() })
      .nullable()
      .openapi({ description: "Where it sits on the dead-letter topic; null in embedded mode (kept in memory)" }),
    key: z.string(),
    event_id: z.string().nullable().openapi({ description: "null when its bytes do not decode as an event" }),
    event_type: z.string().nullable(),
    consumer_group: z.string().openapi({ description: "The consumer group that gave up on it" }),
    error: z.string().openapi({ description: "The handler's last error" }),
    attempts: z.int().openapi({ description: "How often the handler ran (0: it never decoded)" }),
    parked_at: iso("2026-01-01T00:00:00.000Z").nullable(),
    pending: z.boolean().openapi({ description: "Not yet sent back to its topic" }),
  })
  .openapi("DeadLetter", { example: deadLetterExample });

export const DeadLettersSchema = z
  .object({
    items: z.array(DeadLetterSchema),
    total: z.int().openapi({ description: "How many matched; `items` are the oldest `limit` of them" }),
  })
  .openapi("DeadLetters", { example: { items: [deadLetterExample], total: 1 } });

export const RepublishedDeadLettersSchema = z
  .object({
    republished: z.array(DeadLetterSchema).openapi({ description: "Sent back, oldest first" }),
    skipped: z.array(DeadLetterSchema).openapi({ description: "Not sent: their bytes do not decode as an event" }),
  })
  .openapi("RepublishedDeadLetters", {
    example: { republished: [{ ...deadLetterExample, pending: false }], skipped: [] },
  });

export const AddressSchema = z
  .object({
    name: z.string(),
    phone: z.string(),
    postal_code: z.string(),
    region: z.string(),
    city: z.string(),
    line1: z.string(),
    line2: z.string().optional(),
    country: z.string(),
  })
  .openapi("Address", { example: exampleAddress });

const orderStatus = z.enum(["UNSPECIFIED", "CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED"]);

export const OrderStatusChangeSchema = z
  .object({
    from: orderStatus.nullable().openapi({ description: "null on the first change: the order was placed CONFIRMED" }),
    to: orderStatus,
    reason: z.string(),
    at: iso("2026-01-01T00:00:03.000Z").nullable(),
  })
  .openapi("OrderStatusChange", {
    example: { from: "CONFIRMED", to: "SHIPPED", reason: "DHL 1234567890", at: "2026-01-02T09:00:00.000Z" },
  });

const OrderItemSchema = z.object({
  product_id: z.string(),
  name: z.string(),
  quantity: z.int(),
  cancelled_quantity: z.int().openapi({ description: "Units of this line cancellations took back" }),
  unit_price: MoneySchema,
});

export const OrderCancellationSchema = z
  .object({
    cancellation_id: z.string(),
    status: z.string(),
    refund: MoneySchema,
    points_returned: z.int().openapi({
      description:
        "Redeemed points given back: the lines' share of the points the order was paid with (refund + points_returned = the lines' price)",
    }),
    lines: z.array(OrderItemSchema),
  })
  .openapi("OrderCancellation", {
    example: {
      cancellation_id: "1c9e6a52-9f3b-4a57-8e1f-0d2a6b3c4d5e",
      status: "COMPLETED",
      refund: usd(2999),
      points_returned: 0,
      lines: [{ product_id: "2", name: "Mouse", quantity: 1, cancelled_quantity: 1, unit_price: usd(2999) }],
    },
  });

export const CancellationTransitionSchema = z
  .object({
    from: z.string().nullable().openapi({ description: "null on the first: the cancellation was REQUESTED" }),
    to: z.string(),
    reason: z.string(),
    at: iso("2026-01-02T00:00:00.010Z").nullable(),
  })
  .openapi("CancellationTransition", {
    example: { from: "REQUESTED", to: "REFUNDED", reason: "refunded", at: "2026-01-02T00:00:00.010Z" },
  });

const adminCancellationExample = {
  cancellation_id: "1c9e6a52-9f3b-4a57-8e1f-0d2a6b3c4d5e",
  status: "REFUNDED",
  refund: usd(2999),
  points_returned: 0,
  lines: [{ product_id: "2", name: "Mouse", quantity: 1, cancelled_quantity: 1, unit_price: usd(2999) }],
  order_id: "7d0c4c44-0a57-4f0f-8d59-3c3f0e4e9a11",
  user_id: "alice",
  needs_attention: true,
  failure_reason: null,
  created_at: "2026-01-02T00:00:00.000Z",
};

/** A cancellation as operators see it: whose order, and whether a step keeps failing. */
export const AdminCancellationSchema = OrderCancellationSchema.extend({
  order_id: z.string(),
  user_id: z.string(),
  needs_attention: z.boolean().openapi({
    description:
      "A step after the refund keeps failing: recovery retries it now and then; retry it now after fixing the cause",
  }),
  failure_reason: z.string().nullable().openapi({ description: "Why it FAILED (the refund was refused)" }),
  created_at: iso("2026-01-02T00:00:00.000Z").nullable(),
  history: z.array(CancellationTransitionSchema).optional().openapi({
    description: "The saga's transitions, oldest first: on one cancellation and a retry's answer, not in lists",
  }),
}).openapi("AdminCancellation", { example: adminCancellationExample });

export const AdminCancellationPageSchema = z
  .object({ items: z.array(AdminCancellationSchema), next_page_token: z.string().nullable() })
  .openapi("AdminCancellationPage", { example: { items: [adminCancellationExample], next_page_token: null } });

const orderExample = {
  id: "7d0c4c44-0a57-4f0f-8d59-3c3f0e4e9a11",
  checkout_id: "0b9a3c1e-6f1f-4c0e-9d7e-2b7d8a1f5c42",
  status: "CONFIRMED",
  total: usd(129999),
  totals: { subtotal: usd(129999), points_redeemed: usd(0), total: usd(129999), tax: null },
  items: [{ product_id: "1", name: "Laptop", quantity: 1, cancelled_quantity: 0, unit_price: usd(129999) }],
  status_history: [{ from: null, to: "CONFIRMED", reason: "checkout completed", at: "2026-01-01T00:00:03.000Z" }],
  cancellations: [],
  shipping_address: exampleAddress,
  created_at: "2026-01-01T00:00:03.000Z",
  updated_at: "2026-01-01T00:00:03.000Z",
};

export const OrderSchema = z
  .object({
    id: z.string(),
    checkout_id: z.string(),
    status: orderStatus,
    total: MoneySchema,
    totals: TotalsSchema,
    items: z.array(OrderItemSchema),
    status_history: z.array(OrderStatusChangeSchema).openapi({ description: "Every status change, oldest first" }),
    cancellations: z.array(OrderCancellationSchema),
    shipping_address: AddressSchema.nullable(),
    created_at: iso("2026-01-01T00:00:03.000Z").nullable(),
    updated_at: iso("2026-01-01T00:00:03.000Z").nullable(),
  })
  .openapi("Order", { example: orderExample });

export const OrderPageSchema = z
  .object({ items: z.array(OrderSchema), next_page_token: z.string().nullable() })
  .openapi("OrderPage", { example: { items: [orderExample], next_page_token: "eyJvZmZzZXQiOjIwfQ" } });

export const DevTokenSchema = z
  .object({ token: z.string(), token_type: z.literal("Bearer"), expires_in: z.int() })
  .openapi("DevToken", {
    example: {
      token: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MX0.c2ln",
      token_type: "Bearer",
      expires_in: 3600,
    },
  });

/** The payment provider's notification (shared/src/payment-webhooks.ts), as it arrives signed. */
export const PaymentWebhookSchema = z
  .object({
    type: z.enum(["payment.succeeded", "payment.expired", "payment.failed"]),
    timestamp: z.string().openapi({ format: "date-time", example: "2026-01-01T00:05:00.000Z" }),
    data: z.object({
      payment_id: z.string().min(1).max(64),
      checkout_id: z.string().min(1).max(64),
      amount: MoneySchema,
    }),
  })
  .openapi("PaymentWebhook", {
    example: {
      type: "payment.succeeded",
      timestamp: "2026-01-01T00:05:00.000Z",
      data: {
        payment_id: "pay_0b9a3c1e",
        checkout_id: "0b9a3c1e-6f1f-4c0e-9d7e-2b7d8a1f5c42",
        amount: { currency: "JPY", amount_minor: 6000 },
      },
    },
  });

export const PaymentWebhookReceiptSchema = z
  .object({
    received: z.literal(true),
    duplicate: z.boolean().openapi({ description: "This webhook-id was acted on before: nothing was done now" }),
    ignored: z.boolean().openapi({ description: "No checkout has this id: nothing to do, ever" }),
  })
  .openapi("PaymentWebhookReceipt", { example: { received: true, duplicate: false, ignored: false } });

export const DevPaymentSchema = z
  .object({
    payment_id: z.string(),
    checkout_id: z.string(),
    status: z.enum(["SUCCEEDED", "REFUNDED"]),
    amount: MoneySchema,
    konbini: z
      .object({
        confirmation_number: z.string(),
        store: z.string().optional(),
        expires_at: iso("2026-01-04T00:00:00.000Z").nullable(),
        paid_at: iso("2026-01-01T00:05:00.000Z").nullable(),
      })
      .optional(),
  })
  .openapi("DevPayment", {
    example: {
      payment_id: "pay_0b9a3c1e",
      checkout_id: "0b9a3c1e-6f1f-4c0e-9d7e-2b7d8a1f5c42",
      status: "SUCCEEDED",
      amount: { currency: "JPY", amount_minor: 6000 },
      konbini: {
        confirmation_number: "12345678901",
        expires_at: "2026-01-04T00:00:00.000Z",
        paid_at: "2026-01-01T00:05:00.000Z",
      },
    },
  });

export const HealthSchema = z
  .object({
    status: z.literal("ok"),
    services: z.record(z.string(), z.enum(["up", "down"])).optional(),
  })
  .openapi("Health", { example: { status: "ok", services: { product: "up", cart: "up" } } });

export const FieldErrorSchema = z
  .object({
    path: z
      .string()
      .openapi({ description: "Dotted path of the member (`shipping_address.country`), or the name of the parameter" }),
    in: z.enum(["body", "query", "path", "header"]),
    message: z.string(),
  })
  .openapi("FieldError", { example: { path: "quantity", in: "body", message: "must be at most 99, got 100" } });

/**
 * RFC 9457 problem details. Besides the standard members every problem has `request_id`; other
 * members are machine context (`code`, `errors`, `lines`, `checkout_id`, `retry_after`, …).
 */
export const ProblemSchema = z
  .looseObject({
    type: z.url(),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string(),
    instance: z.string().optional(),
    request_id: z.string().optional(),
    code: z.string().optional().openapi({ description: "The service's UPPER_SNAKE reason, when one was given" }),
    errors: z.array(FieldErrorSchema).optional().openapi({ description: "validation-error: every field at fault" }),
    lines: z
      .array(z.object({ product_id: z.string(), requested: z.int(), available: z.int() }))
      .optional()
      .openapi({ description: "out-of-stock: the lines short of stock" }),
    checkout_id: z.string().optional(),
  })
  .openapi("Problem", {
    example: {
      type: "https://checkout-saga.dev/problems/validation-error",
      title: "Invalid request",
      status: 400,
      detail: "quantity: must be at most 99, got 100",
      instance: "/api/v1/cart/items",
      request_id: "3f1c2a4e-8b7d-4c1a-9e0f-5a6b7c8d9e0f",
      errors: [{ path: "quantity", in: "body", message: "must be at most 99, got 100" }],
    },
  });

/** Every named response schema, by component name (tests check each example against its schema). */
const pointsLotExample = {
  points: 1898,
  earned_at: "2026-01-01T00:00:03.000Z",
  expires_at: "2027-01-01T00:00:03.000Z",
};
const pointsEntryExample = {
  delta: 1898,
  reason: "earned",
  checkout_id: "0b9a3c1e-6f1f-4c0e-9d7e-2b7d8a1f5c42",
  at: "2026-01-01T00:00:03.000Z",
};

export const PointsLotSchema = z
  .object({
    points: z.int().openapi({ description: "Points the lot still holds" }),
    earned_at: iso("2026-01-01T00:00:03.000Z").nullable(),
    expires_at: iso("2027-01-01T00:00:03.000Z").nullable(),
  })
  .openapi("PointsLot", { example: pointsLotExample });

export const PointsEntrySchema = z
  .object({
    delta: z.int().openapi({
      description: "Earned and returned points are positive; redeemed, taken back and expired negative",
    }),
    reason: z.string().openapi({ description: "earned, redeemed, returned, taken_back or expired", example: "earned" }),
    checkout_id: z.string().optional(),
    order_id: z.string().optional(),
    at: iso("2026-01-01T00:00:03.000Z").nullable(),
  })
  .openapi("PointsEntry", { example: pointsEntryExample });

export const PointsSchema = z
  .object({
    balance: z.int().openapi({ description: "Unexpired points; 1 point = ¥1" }),
    lots: z.array(PointsLotSchema).openapi({ description: "Unexpired lots, soonest expiry first" }),
    history: z.array(PointsEntrySchema).openapi({ description: "Latest changes, newest first" }),
  })
  .openapi("Points", { example: { balance: 1898, lots: [pointsLotExample], history: [pointsEntryExample] } });

export const componentSchemas: Record<string, z.ZodType> = {
  Money: MoneySchema,
  Product: ProductSchema,
  ProductPage: ProductPageSchema,
  Stock: StockSchema,
  CartLine: CartLineSchema,
  Cart: CartSchema,
  CartClaim: CartClaimSchema,
  CheckoutItem: CheckoutItemSchema,
  Transition: TransitionSchema,
  Totals: TotalsSchema,
  Checkout: CheckoutSchema,
  AdminCheckout: AdminCheckoutSchema,
  AdminCheckoutPage: AdminCheckoutPageSchema,
  OutboxStatus: OutboxStatusSchema,
  Outboxes: OutboxesSchema,
  DeadLetter: DeadLetterSchema,
  DeadLetters: DeadLettersSchema,
  RepublishedDeadLetters: RepublishedDeadLettersSchema,
  OutboxEvent: OutboxEventSchema,
  OutboxEvents: OutboxEventsSchema,
  NextAction: NextActionSchema,
  KonbiniDisplayDetails: KonbiniDisplayDetailsSchema,
  PaymentWebhook: PaymentWebhookSchema,
  PaymentWebhookReceipt: PaymentWebhookReceiptSchema,
  DevPayment: DevPaymentSchema,
  Address: AddressSchema,
  OrderStatusChange: OrderStatusChangeSchema,
  OrderCancellation: OrderCancellationSchema,
  CancellationTransition: CancellationTransitionSchema,
  AdminCancellation: AdminCancellationSchema,
  AdminCancellationPage: AdminCancellationPageSchema,
  Order: OrderSchema,
  OrderPage: OrderPageSchema,
  PointsLot: PointsLotSchema,
  PointsEntry: PointsEntrySchema,
  Points: PointsSchema,
  DevToken: DevTokenSchema,
  Health: HealthSchema,
  FieldError: FieldErrorSchema,
  Problem: ProblemSchema,
};

export type MoneyJson = z.infer<typeof MoneySchema>;
export type AdminCheckoutJson = z.infer<typeof AdminCheckoutSchema>;
export type OutboxStatusJson = z.infer<typeof OutboxStatusSchema>;
export type DeadLetterJson = z.infer<typeof DeadLetterSchema>;
export type OutboxEventJson = z.infer<typeof OutboxEventSchema>;
export type ProductJson = z.infer<typeof ProductSchema>;
export type CartJson = z.infer<typeof CartSchema>;
export type CartClaimJson = z.infer<typeof CartClaimSchema>;
export type CartLineJson = z.infer<typeof CartLineSchema>;
export type AddressJson = z.infer<typeof AddressSchema>;
export type CheckoutJson = z.infer<typeof CheckoutSchema>;
export type TotalsJson = z.infer<typeof TotalsSchema>;
export type DevPaymentJson = z.infer<typeof DevPaymentSchema>;
export type OrderJson = z.infer<typeof OrderSchema>;
export type PointsJson = z.infer<typeof PointsSchema>;
export type FieldError = z.infer<typeof FieldErrorSchema>;
