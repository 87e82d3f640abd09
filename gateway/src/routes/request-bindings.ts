import {
  AddItemRequestSchema,
  GetCartClaimRequestSchema,
  RemoveItemRequestSchema,
  SetCartCurrencyRequestSchema,
  UpdateQuantityRequestSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import {
  GetCheckoutRequestSchema,
  InitiateCheckoutRequestSchema,
  ListCheckoutEventsRequestSchema,
  ListCheckoutsRequestSchema,
  ListDeadLettersRequestSchema,
  ReplayCheckoutEventsRequestSchema,
  RetryCheckoutRequestSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { IssueDevTokenRequestSchema } from "@checkout-saga/shared/gen/checkoutsaga/gateway/v1/dev_token_pb";
import { AdjustStockRequestSchema } from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import {
  CancelOrderRequestSchema,
  DeliverOrderRequestSchema,
  GetCancellationRequestSchema,
  GetOrderRequestSchema,
  ListCancellationsRequestSchema,
  ListOrderEventsRequestSchema,
  ListOrdersRequestSchema,
  RetryCancellationRequestSchema,
  ShipOrderRequestSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import { PayKonbiniRequestSchema } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { GetPointsRequestSchema } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/points_pb";
import {
  CreateProductRequestSchema,
  GetProductRequestSchema,
  ListProductsRequestSchema,
  UpdateProductRequestSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import { exampleAddress } from "../openapi/field-docs.js";
import { bindRpcRequest } from "../validation/rpc-binding.js";

const page = { limit: "page_size", page_token: "page_token" };
const checkoutId = "0b9a3c1e-6f1f-4c0e-9d7e-2b7d8a1f5c42";
const orderId = "7d0c4c44-0a57-4f0f-8d59-3c3f0e4e9a11";
const cancellationId = "1c9e6a52-9f3b-4a57-8e1f-0d2a6b3c4d5e";

/** The path's `{id}`, bound to the RPC request's `field`, with its example. */
const idParam = (field: string, example: string) => ({ params: { id: field }, paramExamples: { id: example } });

const checkoutById = bindRpcRequest(GetCheckoutRequestSchema, idParam("checkout_id", checkoutId));

/**
 * Every route input and the RPC request field it becomes, by operationId: the one place REST
 * names meet proto names. The routes' validation and the OpenAPI document's parameters and
 * bodies are generated from these fields' rules (validation/rule-schemas.ts), and the routes
 * build their RPC requests through them, so a REST input and the field it feeds cannot be held
 * to different rules. Routes that take no input (the cart as a whole, health) have none.
 */
export const requestBindings = {
  listProducts: bindRpcRequest(ListProductsRequestSchema, { query: { ...page, currency: "currency" } }),
  getProduct: bindRpcRequest(GetProductRequestSchema, {
    ...idParam("id", "1"),
    query: { currency: "currency" },
  }),
  addCartItem: bindRpcRequest(AddItemRequestSchema, {
    body: { product_id: "product_id", quantity: "quantity" },
    bodyName: "AddCartItem",
    bodyExample: { product_id: "2", quantity: 2 },
  }),
  setCartItemQuantity: bindRpcRequest(UpdateQuantityRequestSchema, {
    params: { product_id: "product_id" },
    paramExamples: { product_id: "2" },
    body: { quantity: "quantity" },
    bodyName: "SetQuantity",
    bodyExample: { quantity: 3 },
  }),
  updateCart: bindRpcRequest(SetCartCurrencyRequestSchema, {
    body: { currency: "currency" },
    bodyName: "CartUpdate",
    bodyExample: { currency: "JPY" },
  }),
  removeCartItem: bindRpcRequest(RemoveItemRequestSchema, {
    params: { product_id: "product_id" },
    paramExamples: { product_id: "2" },
  }),
  getCartClaim: bindRpcRequest(GetCartClaimRequestSchema, {
    params: { user_id: "user_id", checkout_id: "checkout_id" },
    paramExamples: { user_id: "alice", checkout_id: checkoutId },
  }),
  startCheckout: bindRpcRequest(InitiateCheckoutRequestSchema, {
    headers: { "Idempotency-Key": "idempotency_key" },
    body: {
      payment_method: "payment_method",
      shipping_address: "shipping_address",
      step_mode: "step_mode",
      points: "points",
    },
    bodyName: "CheckoutRequest",
    bodyExample: { payment_method: { type: "card", token: "tok_visa" }, shipping_address: exampleAddress },
  }),
  getCheckout: checkoutById,
  // The same RPC request: an admin's call names no user, so it reads any user's checkout.
  getAdminCheckout: checkoutById,
  listAdminCheckouts: bindRpcRequest(ListCheckoutsRequestSchema, {
    query: { ...page, status: "status", needs_attention: "needs_attention", user_id: "user_id" },
  }),
  listCheckoutEvents: bindRpcRequest(ListCheckoutEventsRequestSchema, idParam("checkout_id", checkoutId)),
  replayCheckoutEvents: bindRpcRequest(ReplayCheckoutEventsRequestSchema, idParam("checkout_id", checkoutId)),
  retryCheckout: bindRpcRequest(RetryCheckoutRequestSchema, idParam("checkout_id", checkoutId)),
  listDeadLetters: bindRpcRequest(ListDeadLettersRequestSchema, {
    query: { limit: "page_size", include_republished: "include_republished" },
  }),
  listAdminCancellations: bindRpcRequest(ListCancellationsRequestSchema, {
    query: { ...page, status: "status", needs_attention: "needs_attention", user_id: "user_id" },
  }),
  getCancellation: bindRpcRequest(GetCancellationRequestSchema, idParam("cancellation_id", cancellationId)),
  retryCancellation: bindRpcRequest(RetryCancellationRequestSchema, idParam("cancellation_id", cancellationId)),
  listOrders: bindRpcRequest(ListOrdersRequestSchema, { query: page }),
  listAdminOrders: bindRpcRequest(ListOrdersRequestSchema, {
    query: { ...page, user_id: "user_id", checkout_id: "checkout_id" },
  }),
  listOrderEvents: bindRpcRequest(ListOrderEventsRequestSchema, idParam("order_id", orderId)),
  getOrder: bindRpcRequest(GetOrderRequestSchema, idParam("order_id", orderId)),
  getPoints: bindRpcRequest(GetPointsRequestSchema, { query: { history_limit: "history_limit" } }),
  shipOrder: bindRpcRequest(ShipOrderRequestSchema, {
    ...idParam("order_id", orderId),
    body: { reason: "reason" },
    bodyName: "ShipOrder",
    bodyExample: { reason: "DHL 1234567890" },
  }),
  deliverOrder: bindRpcRequest(DeliverOrderRequestSchema, {
    ...idParam("order_id", orderId),
    body: { reason: "reason" },
    bodyName: "DeliverOrder",
    bodyExample: { reason: "signed for by the customer" },
  }),
  createProduct: bindRpcRequest(CreateProductRequestSchema, {
    body: {
      name: "name",
      description: "description",
      prices: "prices",
      tax_class: "tax_class",
      image_url: "image_url",
      initial_stock: "initial_stock",
    },
    bodyName: "NewProduct",
    bodyExample: {
      name: "Tea cup",
      description: "Hand-thrown stoneware",
      prices: [
        { currency: "JPY", amount_minor: 3300 },
        { currency: "USD", amount_minor: 2400 },
      ],
      tax_class: "standard",
      image_url: "https://images.example.com/products/tea-cup.jpg",
      initial_stock: 10,
    },
  }),
  updateProduct: bindRpcRequest(UpdateProductRequestSchema, {
    ...idParam("id", "2"),
    body: { prices: "prices", description: "description", sellable: "sellable" },
    bodyName: "ProductChange",
    bodyExample: { prices: [{ currency: "USD", amount_minor: 3499 }], sellable: true },
  }),
  adjustStock: bindRpcRequest(AdjustStockRequestSchema, {
    headers: { "Idempotency-Key": "adjustment_key" },
    ...idParam("product_id", "2"),
    body: { adjust: "adjust", reason: "reason" },
    bodyName: "StockAdjustment",
    bodyExample: { adjust: 24, reason: "delivery from the supplier" },
  }),
  cancelOrder: bindRpcRequest(CancelOrderRequestSchema, {
    headers: { "Idempotency-Key": "idempotency_key" },
    ...idParam("order_id", orderId),
    body: { lines: "lines", reason: "reason" },
    bodyName: "CancelOrder",
    bodyExample: { lines: [{ product_id: "2", quantity: 1 }], reason: "ordered one too many" },
  }),
  payKonbini: bindRpcRequest(PayKonbiniRequestSchema, {
    params: { confirmation_number: "confirmation_number" },
    paramExamples: { confirmation_number: "12345678901" },
  }),
  // No RPC takes it: its message holds the token's subject to the user id rule every RPC's
  // user_id has, and its roles to what the token verifier accepts.
  issueDevToken: bindRpcRequest(IssueDevTokenRequestSchema, {
    body: { user_id: "user_id", roles: "roles" },
    bodyName: "DevTokenRequest",
    bodyExample: { user_id: "alice", roles: ["admin"] },
  }),
};
