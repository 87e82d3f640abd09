import { DEFAULT_PAGE_SIZE } from "@checkout-saga/shared";

/**
 * What the OpenAPI document says of a request field or message besides its rules, by full proto
 * name. The rules themselves come from the .proto files (see validation/rule-schemas.ts); the
 * proto comments do not reach the generated descriptors, so the words a client reads live here.
 */
export interface FieldDocs {
  description?: string;
  example?: unknown;
  default?: unknown;
}

const address = {
  name: "Hanako Yamada",
  phone: "+81-3-1234-5678",
  postal_code: "100-0001",
  region: "Tokyo",
  city: "Chiyoda-ku",
  line1: "1-1 Chiyoda",
  country: "JP",
};

const pageSize = { description: `Page size (default ${DEFAULT_PAGE_SIZE})`, default: DEFAULT_PAGE_SIZE };

const docs: Record<string, FieldDocs> = {
  "checkoutsaga.common.v1.ShippingAddress": { example: address },
  "checkoutsaga.common.v1.ShippingAddress.region": { description: "Prefecture or state" },
  "checkoutsaga.common.v1.ShippingAddress.country": { description: "ISO 3166-1 alpha-2", example: "JP" },
  "checkoutsaga.payment.v1.PaymentMethod": { example: { type: "card", token: "tok_visa" } },
  "checkoutsaga.common.v1.LineQuantity": { example: { product_id: "2", quantity: 1 } },
  "checkoutsaga.payment.v1.PaymentMethod.token": {
    description:
      "Required for a card, left out for konbini. Test tokens: tok_visa succeeds; tok_chargeDeclined, " +
      "tok_insufficientFunds, tok_expiredCard are declined",
  },
  "checkoutsaga.payment.v1.PaymentMethod.store": {
    description: "konbini only: the chain the customer means to pay at; left out, any of them",
  },
  "checkoutsaga.checkout.v1.InitiateCheckoutRequest.step_mode": {
    description: "Stop after each transition (only when the service runs with SAGA_STEP_MODE=true)",
  },
  "checkoutsaga.checkout.v1.InitiateCheckoutRequest.idempotency_key": {
    description: "Scoped to the user; the same key and body replay the first outcome",
    example: "order-2026-0001",
  },
  "checkoutsaga.cart.v1.AddItemRequest.quantity": { example: 2 },
  "checkoutsaga.product.v1.ListProductsRequest.page_size": pageSize,
  "checkoutsaga.orders.v1.ListOrdersRequest.page_size": pageSize,
  "checkoutsaga.product.v1.ListProductsRequest.page_token": {
    description: "The `next_page_token` of the previous page",
  },
  "checkoutsaga.orders.v1.ListOrdersRequest.page_token": { description: "The `next_page_token` of the previous page" },
  "checkoutsaga.product.v1.PriceInput": { example: { currency: "JPY", amount_minor: 3300 } },
  "checkoutsaga.product.v1.PriceInput.amount_minor": {
    description: "In the currency's minor units (JPY has none: 3300 is ¥3,300; USD has two)",
  },
  "checkoutsaga.product.v1.CreateProductRequest.prices": { description: "One price per currency it is sold in" },
  "checkoutsaga.product.v1.CreateProductRequest.tax_class": {
    description: "Which tax rate applies (JPY: standard 10%, reduced 8%); prices include the tax",
    default: "standard",
  },
  "checkoutsaga.product.v1.CreateProductRequest.initial_stock": {
    description: "Units for sale from the start (set in the inventory service before the product appears)",
  },
  "checkoutsaga.product.v1.UpdateProductRequest.prices": {
    description: "When given, replaces every price; left out or empty, the prices stay",
  },
  "checkoutsaga.product.v1.UpdateProductRequest.sellable": {
    description: "false takes the product off sale (still listed, cannot be added to a cart or bought)",
  },
  "checkoutsaga.inventory.v1.AdjustStockRequest.adjust": {
    description: "Units put on the shelf; negative takes them off, never below what checkouts hold",
    example: 24,
  },
};

/** The docs of a field (`pkg.Message.field`) or message (`pkg.Message`); none when it has none. */
export const docsOf = (name: string): FieldDocs => docs[name] ?? {};

/** The example address the document's request examples share. */
export const exampleAddress = address;
