import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  DEV_PAYMENT_WEBHOOK_SECRET,
  failedPrecondition as failedPreconditionError,
  notFound as notFoundError,
  toConnectError,
} from "@checkout-saga/shared";
import { CartItemSchema, CartSchema, CartService } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import {
  type Checkout,
  CheckoutSchema,
  CheckoutService,
  CheckoutStatus,
  type InitiateCheckoutRequest,
} from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { MoneySchema } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/common_pb";
import { InventoryService } from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import { OrderSchema, OrderStatus, OrdersService } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import { PaymentService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { PointsService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/points_pb";
import {
  type Product,
  ProductSchema,
  ProductService,
  TaxClass,
} from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import { testLogger } from "@checkout-saga/shared/testing";
import { createClient, createRouterTransport, type ServiceImpl } from "@connectrpc/connect";
import { createGatewayApp, type GatewayDeps } from "../src/app.js";
import { issueToken } from "../src/auth/tokens.js";
import type { GatewayClients } from "../src/clients.js";
import { type GatewayConfig, loadGatewayConfig } from "../src/config.js";
import { type Gateway, startGateway } from "../src/service.js";

export const SECRET = "test-secret-0123456789";

export const usd = (amountMinor: number) => create(MoneySchema, { currency: "USD", amountMinor: BigInt(amountMinor) });

export const jpy = (amountMinor: number) => create(MoneySchema, { currency: "JPY", amountMinor: BigInt(amountMinor) });

/** Products as the product service stores them: every price; `priced` sets `price` for a request. */
export const catalog = [
  create(ProductSchema, {
    id: "1",
    name: "Laptop",
    description: "A laptop",
    prices: [jpy(189800), usd(129999)],
    taxClass: TaxClass.STANDARD,
    imageUrl: "/l.png",
  }),
  create(ProductSchema, {
    id: "2",
    name: "Mouse",
    description: "A mouse",
    prices: [jpy(4480), usd(2999)],
    taxClass: TaxClass.STANDARD,
    imageUrl: "/m.png",
  }),
  // Sold in USD only: no JPY price.
  create(ProductSchema, {
    id: "7",
    name: "Gift card",
    description: "A US gift card",
    prices: [usd(2500)],
    taxClass: TaxClass.STANDARD,
    imageUrl: "/g.png",
  }),
];

/** A product as the product service answers for `currency` (default USD): `price` unset when not sold in it. */
export const priced = (p: Product, currency = "") => {
  const price = p.prices.find((m) => m.currency === (currency || "USD"));
  return create(ProductSchema, { ...p, price });
};

/** Service fakes for the gateway's own translation; each test overrides what it needs. */
export interface FakeServices {
  product: Partial<ServiceImpl<typeof ProductService>>;
  cart: Partial<ServiceImpl<typeof CartService>>;
  inventory: Partial<ServiceImpl<typeof InventoryService>>;
  checkout: Partial<ServiceImpl<typeof CheckoutService>>;
  orders: Partial<ServiceImpl<typeof OrdersService>>;
  /** The payment service's ledger: not one of GatewayClients, its own dep (GET /points). */
  points: Partial<ServiceImpl<typeof PointsService>>;
}

/** What the fakes saw, so tests can check what the gateway sent downstream. */
export interface Seen {
  requestIds: string[];
  checkoutRequests: InitiateCheckoutRequest[];
  /** Every call that would write (method and user), in order. */
  mutations: Array<{ method: string; userId: string }>;
}

/** An order owned by `userId`, as the orders service stores it. */
export const buildOrder = (id: string, userId: string) =>
  create(OrderSchema, {
    id,
    checkoutId: `co-of-${id}`,
    userId,
    status: OrderStatus.CONFIRMED,
    total: usd(2999),
    items: [{ productId: "2", name: "Mouse", quantity: 1, unitPrice: usd(2999) }],
    createdAt: timestampFromDate(new Date("2026-01-01T00:00:00Z")),
  });

/**
 * A catalog, stock of 5 each, carts in memory keyed by user, checkouts and orders that belong
 * to the user who made them. Like the real services, every call by user answers only that
 * user's data (another user's checkout or order is NOT_FOUND), and every write is recorded.
 */
export function defaultServices(seen: Seen): FakeServices {
  const checkouts = new Map<string, Checkout>();
  const orders = [buildOrder("o-alice", "alice"), buildOrder("o-bob", "bob")];
  const mutation = (method: string, userId: string) => seen.mutations.push({ method, userId });
  const carts = new Map<string, Map<string, number>>();
  const currencies = new Map<string, string>();
  /** Like the cart service: PRODUCT_NOT_PRICED when a product has no price in `currency`. */
  const requirePriced = (productIds: string[], currency: string) => {
    const unpriced = productIds.filter(
      (id) => !catalog.find((p) => p.id === id)?.prices.some((m) => m.currency === currency),
    );
    if (unpriced[0] !== undefined) {
      throw toConnectError(
        failedPreconditionError("PRODUCT_NOT_PRICED", `product ${unpriced[0]} has no price in ${currency}`, {
          metadata: { product_id: unpriced[0], currency },
        }),
      );
    }
  };
  const cartOf = (userId: string) => {
    const lines = carts.get(userId) ?? new Map<string, number>();
    carts.set(userId, lines);
    return create(CartSchema, {
      userId,
      currency: currencies.get(userId) ?? "USD",
      items: [...lines].map(([productId, quantity]) => create(CartItemSchema, { productId, quantity })),
    });
  };
  return {
    product: {
      getProduct(req, ctx) {
        seen.requestIds.push(ctx.requestHeader.get("x-request-id") ?? "");
        const product = catalog.find((p) => p.id === req.id);
        if (!product) throw toConnectError(notFoundError("PRODUCT_NOT_FOUND", `product ${req.id} not found`));
        return { product: priced(product, req.currency) };
      },
      getProducts: (req) => ({
        products: catalog.filter((p) => req.ids.includes(p.id)).map((p) => priced(p, req.currency)),
      }),
      listProducts: (req) => ({ products: catalog.map((p) => priced(p, req.currency)), nextPageToken: "" }),
    },
    inventory: {
      getStock: (req) => ({
        stocks: req.productIds.map((productId) => ({ productId, available: 5, reserved: 0 })),
      }),
    },
    cart: {
      getCart: (req) => ({ cart: cartOf(req.userId) }),
      addItem(req, ctx) {
        seen.requestIds.push(ctx.requestHeader.get("x-request-id") ?? "");
        mutation("addItem", req.userId);
        requirePriced([req.productId], cartOf(req.userId).currency);
        const lines = carts.get(req.userId)!;
        lines.set(req.productId, (lines.get(req.productId) ?? 0) + req.quantity);
        return { cart: cartOf(req.userId) };
      },
      updateQuantity(req) {
        mutation("updateQuantity", req.userId);
        const lines = carts.get(req.userId);
        if (!lines?.has(req.productId))
          throw toConnectError(notFoundError("CART_LINE_NOT_FOUND", `no line for product ${req.productId}`));
        lines.set(req.productId, req.quantity);
        return { cart: cartOf(req.userId) };
      },
      removeItem(req) {
        mutation("removeItem", req.userId);
        carts.get(req.userId)?.delete(req.productId);
        return { cart: cartOf(req.userId) };
      },
      setCartCurrency(req) {
        mutation("setCartCurrency", req.userId);
        requirePriced([...(carts.get(req.userId)?.keys() ?? [])], req.currency);
        currencies.set(req.userId, req.currency);
        return { cart: cartOf(req.userId) };
      },
      clearCart(req) {
        mutation("clearCart", req.userId);
        carts.delete(req.userId);
        return { cart: cartOf(req.userId) };
      },
    },
    checkout: {
      initiateCheckout(req) {
        seen.checkoutRequests.push(req);
        mutation("initiateCheckout", req.userId);
        const checkout = buildCheckout({ checkoutId: `co-${checkouts.size + 1}`, userId: req.userId });
        checkouts.set(checkout.checkoutId, checkout);
        return { checkout, replayed: false };
      },
      getCheckout(req) {
        const checkout = checkouts.get(req.checkoutId);
        if (!checkout || checkout.userId !== req.userId) {
          throw toConnectError(notFoundError("CHECKOUT_NOT_FOUND", `checkout ${req.checkoutId} not found`));
        }
        return { checkout };
      },
    },
    orders: {
      listOrders: (req) => ({ orders: orders.filter((o) => o.userId === req.userId), nextPageToken: "" }),
      getOrder(req) {
        const order = orders.find((o) => o.id === req.orderId && o.userId === req.userId);
        if (!order) throw toConnectError(notFoundError("ORDER_NOT_FOUND", `order ${req.orderId} not found`));
        return { order };
      },
    },
    points: {
      getPoints: () => ({ balance: 0n, lots: [], history: [] }),
    },
  };
}

/** A checkout as the service would return it. */
export function buildCheckout(overrides: Partial<Omit<Checkout, "$typeName">> = {}): Checkout {
  return create(CheckoutSchema, {
    checkoutId: "co-1",
    userId: "alice",
    status: CheckoutStatus.COMPLETED,
    total: usd(135997),
    items: [
      { productId: "1", name: "Laptop", quantity: 1, unitPrice: usd(129999) },
      { productId: "2", name: "Mouse", quantity: 2, unitPrice: usd(2999) },
    ],
    createdAt: timestampFromDate(new Date("2026-01-01T00:00:00Z")),
    updatedAt: timestampFromDate(new Date("2026-01-01T00:00:01Z")),
    ...overrides,
  });
}

export function buildClients(services: FakeServices): GatewayClients {
  const transport = createRouterTransport((router) => {
    router.service(ProductService, services.product);
    router.service(CartService, services.cart);
    router.service(InventoryService, services.inventory);
    router.service(CheckoutService, services.checkout);
    router.service(OrdersService, services.orders);
  });
  return {
    product: createClient(ProductService, transport),
    cart: createClient(CartService, transport),
    inventory: createClient(InventoryService, transport),
    checkout: createClient(CheckoutService, transport),
    orders: createClient(OrdersService, transport),
  };
}

export interface TestGateway {
  app: ReturnType<typeof createGatewayApp>;
  seen: Seen;
  config: GatewayConfig;
  /** A request with JSON body and the bearer token of `user` (default alice). */
  call(
    method: string,
    path: string,
    init?: { user?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<Response>;
}

export function startTestGateway(
  options: {
    env?: Record<string, string>;
    services?: (defaults: FakeServices) => Partial<FakeServices>;
    deps?: Partial<GatewayDeps>;
    logger?: GatewayDeps["logger"];
  } = {},
): TestGateway {
  const seen: Seen = { requestIds: [], checkoutRequests: [], mutations: [] };
  const defaults = defaultServices(seen);
  const services = { ...defaults, ...options.services?.(defaults) };
  const config = loadGatewayConfig({
    JWT_SECRET: SECRET,
    PAYMENT_WEBHOOK_SECRET: DEV_PAYMENT_WEBHOOK_SECRET,
    AUTH_DEV_TOKENS: "true",
    RATE_LIMIT_PER_MINUTE: "0",
    ...options.env,
  });
  const app = createGatewayApp({
    clients: buildClients(services),
    payments: unknownVouchers,
    points: createClient(
      PointsService,
      createRouterTransport((router) => router.service(PointsService, services.points)),
    ),
    config,
    logger: options.logger ?? testLogger("gateway"),
    ...options.deps,
  });
  return {
    app,
    seen,
    config,
    async call(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      const user = init.user === undefined ? "alice" : init.user;
      if (user !== null) headers.authorization = `Bearer ${await issueToken(SECRET, user)}`;
      let body: string | undefined = init.rawBody;
      if (init.body !== undefined) {
        body = JSON.stringify(init.body);
        headers["content-type"] ??= "application/json";
      }
      return app.request(`/api/v1${path}`, { method, headers, body });
    },
  };
}

/** A dev token for `userId` with `roles`, from the gateway's own dev route. */
export async function devToken(gateway: TestGateway, userId: string, roles?: string[]): Promise<string> {
  const res = await gateway.call("POST", "/dev/token", { user: null, body: { user_id: userId, roles } });
  if (res.status !== 200) throw new Error(`POST /dev/token answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as Json).token as string;
}

/** A call's options carrying `token` instead of the default user's. */
export const as = (token: string) => ({ user: null, headers: { authorization: `Bearer ${token}` } });

/** A decoded JSON response body: tests read into it freely and assertions check it. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies under test are checked by assertions, not types
export type Json = any;

/** The parsed body of a problem response, after checking it is one. */
export async function problemOf(res: Response): Promise<Json> {
  const type = res.headers.get("content-type") ?? "";
  if (!type.startsWith("application/problem+json")) {
    throw new Error(`expected application/problem+json, got ${type} (${res.status}): ${await res.text()}`);
  }
  return res.json();
}

/** The real gateway server on a free loopback port, every service it calls at `servicesUrl` (often nowhere). */
export function startGatewayServer(servicesUrl: string, env: Record<string, string> = {}): Promise<Gateway> {
  const config = loadGatewayConfig({
    GATEWAY_PORT: "0",
    GATEWAY_HOST: "127.0.0.1",
    JWT_SECRET: SECRET,
    PAYMENT_WEBHOOK_SECRET: DEV_PAYMENT_WEBHOOK_SECRET,
    PRODUCT_URL: servicesUrl,
    CART_URL: servicesUrl,
    INVENTORY_URL: servicesUrl,
    CHECKOUT_URL: servicesUrl,
    ORDERS_URL: servicesUrl,
    ...env,
  });
  return startGateway(config, testLogger("gateway"));
}

/** A valid POST /checkout body: a card and a Japanese address. */
export const CHECKOUT_BODY = {
  payment_method: { type: "card", token: "tok_visa" },
  shipping_address: {
    name: "Hanako Yamada",
    phone: "+81-3-1234-5678",
    postal_code: "100-0001",
    region: "Tokyo",
    city: "Chiyoda-ku",
    line1: "1-1 Chiyoda",
    country: "JP",
  },
};

/** The payment service as the dev pay route sees it when a test does not care: no voucher exists. */
const unknownVouchers = createClient(
  PaymentService,
  createRouterTransport((router) =>
    router.service(PaymentService, {
      payKonbini(req) {
        throw toConnectError(
          notFoundError("KONBINI_VOUCHER_NOT_FOUND", `no konbini voucher ${req.confirmationNumber}`),
        );
      },
    }),
  ),
);
