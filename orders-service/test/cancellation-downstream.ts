import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { loadInventoryConfig, startInventoryService } from "@checkout-saga/inventory-service";
import { loadPaymentConfig, startPaymentService } from "@checkout-saga/payment-service";
import {
  createInProcessEventBus,
  createServiceClient,
  createServiceTransport,
  DEV_PAYMENT_WEBHOOK_SECRET,
  type Running,
} from "@checkout-saga/shared";
import { MoneySchema } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/common_pb";
import { InventoryService } from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import { PaymentService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { PointsService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/points_pb";
import { createTestDatabase, testLogger } from "@checkout-saga/shared/testing";
import { checkoutCompleted, publish } from "./orders-fixture.js";

export interface PurchaseLine {
  productId: string;
  name: string;
  quantity: number;
  unitPriceMinor: number;
}

/** Points a purchase redeemed, and whose they were. */
export interface PointsRedeemed {
  userId: string;
  points: number;
}

/**
 * The real inventory and payment services a cancellation calls, in this process on port 0, each
 * on a fresh PostgreSQL database (inventory seeded as usual), with what a completed checkout
 * leaves in them: `purchase` redeems points, reserves, confirms and charges as the checkout saga
 * would. The payment service earns and takes back points from `bus` (its points consumer), as in
 * embedded mode: an orders service given the same bus has its OrderCancelled applied there.
 */
export async function startCancellationDownstream() {
  const logger = testLogger("downstream");
  const bus = createInProcessEventBus({ logger, maxAttempts: 2 });
  const started: Running[] = [];
  const stop = async () => {
    for (const s of started.reverse()) await s.stop();
  };
  try {
    const inventoryDatabaseUrl = await createTestDatabase("cancel_inventory");
    const inventory = await startInventoryService(
      loadInventoryConfig({ INVENTORY_PORT: "0", INVENTORY_DATABASE_URL: inventoryDatabaseUrl }),
      logger,
    );
    started.push(inventory);
    const paymentDatabaseUrl = await createTestDatabase("cancel_payment");
    const paymentConfig = (port: number) =>
      loadPaymentConfig({
        PAYMENT_PORT: String(port),
        PAYMENT_DATABASE_URL: paymentDatabaseUrl,
        PAYMENT_WEBHOOK_SECRET: DEV_PAYMENT_WEBHOOK_SECRET,
        GATEWAY_PORT: "0",
      });
    const payment = await startPaymentService(paymentConfig(0), logger, { events: bus });
    started.push(payment);
    const urls = {
      inventory: `http://127.0.0.1:${inventory.port}`,
      payment: `http://127.0.0.1:${payment.port}`,
    };
    const stock = createServiceClient(InventoryService, createServiceTransport(urls.inventory));
    const paymentTransport = createServiceTransport(urls.payment);
    const payments = createServiceClient(PaymentService, paymentTransport);
    const points = createServiceClient(PointsService, paymentTransport);
    return {
      urls,
      bus,
      /** Another inventory service on the same stock, at `port`: one that comes up late. */
      async startInventoryAt(port: number) {
        const late = await startInventoryService(
          loadInventoryConfig({ INVENTORY_PORT: String(port), INVENTORY_DATABASE_URL: inventoryDatabaseUrl }),
          logger,
        );
        started.push(late);
        return late;
      },
      /** Another payment service on the same payments and points, at `port` (RPCs only: the first one earns). */
      async startPaymentAt(port: number) {
        const late = await startPaymentService(paymentConfig(port), logger);
        started.push(late);
        return late;
      },
      /**
       * `userId` earns a lot the way the ledger earns one: a yen CheckoutCompleted charging
       * `chargedYen` delivered to the payment service's points consumer. The earning checkout's id.
       */
      async earnPoints(userId: string, chargedYen: number) {
        const event = checkoutCompleted({
          userId,
          currency: "JPY",
          lines: [{ productId: "1", name: "Laptop", quantity: 1, unitPriceMinor: chargedYen }],
        });
        await publish(bus, event);
        return event.aggregateId;
      },
      /**
       * Points redeemed (RedeemPoints under the checkout id, before the charge, as the checkout
       * saga does), stock held, sold and charged for `lines` less those points, as a completed
       * checkout leaves it: its id and payment id.
       */
      async purchase(lines: PurchaseLine[], currency = "USD", redeemed?: PointsRedeemed) {
        const checkoutId = randomUUID();
        const pointsRedeemed = redeemed?.points ?? 0;
        if (redeemed) {
          await points.redeemPoints({
            userId: redeemed.userId,
            redemptionKey: checkoutId,
            points: BigInt(redeemed.points),
            checkoutId,
          });
        }
        const items = lines.map((l) => ({ productId: l.productId, quantity: l.quantity }));
        await stock.reserve({ checkoutId, items });
        await stock.confirm({ checkoutId });
        const total = lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0) - pointsRedeemed;
        // Paid entirely in points: the checkout skips the charge, and the order has no payment.
        if (total === 0) return { checkoutId, paymentId: "" };
        const { payment: charged } = await payments.charge({
          idempotencyKey: checkoutId,
          checkoutId,
          amount: create(MoneySchema, { currency, amountMinor: BigInt(total) }),
          paymentMethod: { type: "card", token: "tok_visa" },
        });
        if (!charged) throw new Error("the payment service answered Charge without a payment");
        return { checkoutId, paymentId: charged.paymentId };
      },
      async availableOf(productId: string) {
        const { stocks } = await stock.getStock({ productIds: [productId] });
        return stocks[0]?.available ?? 0;
      },
      /** The user's balance, lots and history, as GetPoints answers them. */
      pointsOf(userId: string) {
        return points.getPoints({ userId });
      },
      async paymentOf(paymentId: string) {
        const { payment } = await payments.getPayment({ paymentId });
        if (!payment) throw new Error(`no payment ${paymentId}`);
        return payment;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
