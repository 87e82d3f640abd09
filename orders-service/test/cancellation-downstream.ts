import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { loadInventoryConfig, startInventoryService } from "@checkout-saga/inventory-service";
import { loadPaymentConfig, startPaymentService } from "@checkout-saga/payment-service";
import {
  createServiceClient,
  createServiceTransport,
  DEV_PAYMENT_WEBHOOK_SECRET,
  type Running,
} from "@checkout-saga/shared";
import { MoneySchema } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/common_pb";
import { InventoryService } from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import { PaymentService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { createTestDatabase, testLogger } from "@checkout-saga/shared/testing";

export interface PurchaseLine {
  productId: string;
  name: string;
  quantity: number;
  unitPriceMinor: number;
}

/**
 * The real inventory and payment services a cancellation calls, in this process on port 0, each
 * on a fresh PostgreSQL database (inventory seeded as usual), with what a completed checkout
 * leaves in them: `purchase` reserves, confirms and charges as the checkout saga would.
 */
export async function startCancellationDownstream() {
  const logger = testLogger("downstream");
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
    const payment = await startPaymentService(
      loadPaymentConfig({
        PAYMENT_PORT: "0",
        PAYMENT_DATABASE_URL: await createTestDatabase("cancel_payment"),
        PAYMENT_WEBHOOK_SECRET: DEV_PAYMENT_WEBHOOK_SECRET,
        GATEWAY_PORT: "0",
      }),
      logger,
    );
    started.push(payment);
    const urls = {
      inventory: `http://127.0.0.1:${inventory.port}`,
      payment: `http://127.0.0.1:${payment.port}`,
    };
    const stock = createServiceClient(InventoryService, createServiceTransport(urls.inventory));
    const payments = createServiceClient(PaymentService, createServiceTransport(urls.payment));
    return {
      urls,
      /** Another inventory service on the same stock, at `port`: one that comes up late. */
      async startInventoryAt(port: number) {
        const late = await startInventoryService(
          loadInventoryConfig({ INVENTORY_PORT: String(port), INVENTORY_DATABASE_URL: inventoryDatabaseUrl }),
          logger,
        );
        started.push(late);
        return late;
      },
      /** Stock held, sold and charged for `lines` (less the points redeemed), as a completed checkout leaves it: its id and payment id. */
      async purchase(lines: PurchaseLine[], currency = "USD", pointsRedeemed = 0) {
        const checkoutId = randomUUID();
        const items = lines.map((l) => ({ productId: l.productId, quantity: l.quantity }));
        await stock.reserve({ checkoutId, items });
        await stock.confirm({ checkoutId });
        const total = lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0) - pointsRedeemed;
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
