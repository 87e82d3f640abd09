import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadCartConfig, startCartService } from "@checkout-saga/cart-service";
import { loadInventoryConfig, startInventoryService } from "@checkout-saga/inventory-service";
import { loadPaymentConfig, startPaymentService } from "@checkout-saga/payment-service";
import { loadProductConfig, startProductService } from "@checkout-saga/product-service";
import {
  CHECKOUT_EVENTS_TOPIC,
  checkoutTotals,
  createInProcessEventBus,
  createServiceClient,
  createServiceTransport,
  DEV_PAYMENT_WEBHOOK_SECRET,
  type EventSubscriber,
  newTimeOrderedId,
  type Running,
} from "@checkout-saga/shared";
import { CartService } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import { PointsService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/points_pb";
import { createTestDatabase, testLogger } from "@checkout-saga/shared/testing";
import postgres from "postgres";
import { checkoutEndedEvent } from "../src/saga/checkout-events.js";

/**
 * The real product, cart, inventory and payment services, in this process, each on port 0
 * with its own store (a fresh PostgreSQL database for inventory and payment, temporary
 * SQLite files for product and cart). `env` adds settings per service (e.g. PAYMENT_LATENCY_MS).
 */
export async function startRealDownstream(
  env: { payment?: Record<string, string>; inventory?: Record<string, string> } = {},
) {
  const logger = testLogger("downstream");
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "checkout-real-downstream-"));
  const started: Running[] = [];
  const pools: postgres.Sql[] = [];
  const stop = async () => {
    for (const s of started.reverse()) await s.stop();
    for (const pool of pools) await pool.end();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const inventoryDatabaseUrl = await createTestDatabase("checkout_inventory");
    const paymentDatabaseUrl = await createTestDatabase("checkout_payment");
    const product = await startProductService(
      loadProductConfig({ PRODUCT_PORT: "0", PRODUCT_DATABASE_PATH: path.join(dataDir, "product.db") }),
      logger,
    );
    started.push(product);
    const productUrl = `http://127.0.0.1:${product.port}`;
    const inventory = await startInventoryService(
      loadInventoryConfig({ INVENTORY_PORT: "0", INVENTORY_DATABASE_URL: inventoryDatabaseUrl, ...env.inventory }),
      logger,
    );
    started.push(inventory);
    // The points ledger earns from CheckoutCompleted (issue #15): its payment service listens
    // here, where earnPoints publishes; the checkouts under test publish to Kafka, earning nothing.
    const paymentEvents = createInProcessEventBus({ logger });
    const paymentDeps: Parameters<typeof startPaymentService>[2] & { events?: EventSubscriber } = {
      events: paymentEvents,
    };
    const payment = await startPaymentService(
      loadPaymentConfig({
        PAYMENT_PORT: "0",
        PAYMENT_DATABASE_URL: paymentDatabaseUrl,
        PAYMENT_WEBHOOK_SECRET: DEV_PAYMENT_WEBHOOK_SECRET,
        // No gateway here: webhooks wait in the payment database unless env.payment gives PAYMENT_WEBHOOK_URL.
        GATEWAY_PORT: "0",
        ...env.payment,
      }),
      logger,
      paymentDeps,
    );
    started.push(payment);
    const cart = await startCartService(
      loadCartConfig({ CART_PORT: "0", CART_DATABASE_PATH: path.join(dataDir, "cart.db"), PRODUCT_URL: productUrl }),
      logger,
      { events: createInProcessEventBus({ logger }) },
    );
    started.push(cart);

    const inventoryDb = postgres(inventoryDatabaseUrl, { max: 2, onnotice: () => {} });
    const paymentDb = postgres(paymentDatabaseUrl, { max: 2, onnotice: () => {} });
    pools.push(inventoryDb, paymentDb);
    const urls = {
      product: productUrl,
      cart: `http://127.0.0.1:${cart.port}`,
      inventory: `http://127.0.0.1:${inventory.port}`,
      payment: `http://127.0.0.1:${payment.port}`,
    };
    const carts = createServiceClient(CartService, createServiceTransport(urls.cart));
    const points = createServiceClient(PointsService, createServiceTransport(urls.payment));

    return {
      urls,
      /** The checkout service's settings that point it at these services. */
      checkoutEnv: {
        PRODUCT_URL: urls.product,
        CART_URL: urls.cart,
        INVENTORY_URL: urls.inventory,
        PAYMENT_URL: urls.payment,
      },
      inventoryDb,
      paymentDb,
      /** Puts `quantity` of `productId` in a (new) user's cart through CartService. */
      /** Adds a line, the cart first switched to `currency` when one is given. */
      async fillCart(userId: string, productId: string, quantity: number, currency?: string) {
        if (currency) await carts.setCartCurrency({ userId, currency });
        await carts.addItem({ userId, productId, quantity });
      },
      /**
       * Gives the user the points a completed JPY card checkout of `chargedYen` earns (1%, one
       * lot), as the ledger learns of it: a CheckoutCompleted event. Answers that checkout's id.
       */
      async earnPoints(userId: string, chargedYen: number) {
        const total = { currency: "JPY", amountMinor: chargedYen };
        const id = newTimeOrderedId();
        const at = new Date();
        const event = checkoutEndedEvent(
          {
            id,
            userId,
            status: "COMPLETED",
            total,
            totals: checkoutTotals([{ amount: total, taxClass: "standard" }], "JPY"),
            items: [{ productId: "3", name: "Keyboard", quantity: 1, unitPriceMinor: chargedYen }],
            shippingAddress: {
              name: "Ada",
              phone: "+81-3-0000-0000",
              postalCode: "100-0001",
              region: "Tokyo",
              city: "Chiyoda",
              line1: "1-1",
              line2: "",
              country: "JP",
            },
            paymentMethod: { type: "card", token: "tok_visa" },
            stepMode: false,
            needsAttention: false,
            compensationAttempts: 0,
            createdAt: at,
            updatedAt: at,
            history: [],
          },
          at,
        );
        await paymentEvents.publish(CHECKOUT_EVENTS_TOPIC, [
          { key: event.key, value: event.payload, headers: event.headers },
        ]);
        return id;
      },
      /** The user's balance and unexpired lots, as the ledger holds them. */
      async pointsOf(userId: string) {
        const res = await points.getPoints({ userId });
        return {
          balance: Number(res.balance),
          lots: res.lots.map((l) => ({ lotId: l.lotId, points: Number(l.points), expiresAt: l.expiresAt?.seconds })),
        };
      },
      /** Sets a product's stock: `available` for sale, nothing reserved. */
      async setStock(productId: string, available: number) {
        await inventoryDb`update stock set available = ${available}, reserved = 0 where product_id = ${productId}`;
      },
      async stockOf(productId: string) {
        const [row] = await inventoryDb<{ available: number; reserved: number }[]>`
          select available, reserved from stock where product_id = ${productId}`;
        if (!row) throw new Error(`no stock row for product ${productId}`);
        return row;
      },
      /** Units of `productId` sold: the lines of confirmed reservations. */
      async soldOf(productId: string) {
        const [row] = await inventoryDb<{ sold: number }[]>`
          select coalesce(sum(l.quantity), 0)::int as sold
          from reservation_lines l join reservations r on r.id = l.reservation_id
          where r.status = 'CONFIRMED' and l.product_id = ${productId}`;
        return row?.sold ?? 0;
      },
      /**
       * The checkout's reservation and payment rows, as the downstream databases hold them. A
       * voided charge's row records no checkout, only the saga's key: the checkout id.
       */
      async effectsOf(checkoutId: string) {
        const reservations = await inventoryDb<{ status: string }[]>`
          select status from reservations where checkout_id = ${checkoutId}`;
        const payments = await paymentDb<{ status: string }[]>`
          select status from payments where checkout_id = ${checkoutId} or idempotency_key = ${checkoutId}`;
        return { reservations: reservations.map((r) => r.status), payments: payments.map((p) => p.status) };
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export type RealDownstream = Awaited<ReturnType<typeof startRealDownstream>>;
