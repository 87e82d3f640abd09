import { createServiceClient } from "@checkout-saga/shared";
import { InventoryService } from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import { createTestRpcTrust } from "@checkout-saga/shared/testing";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkoutId, failureOf, type InventoryHarness, startInventoryHarness } from "./inventory-harness.js";

/*
 * AdjustStock on the real service and PostgreSQL, credentials on: admins (through the gateway)
 * and the product service may adjust, a customer may not; stock on hand never drops below what
 * is reserved; every adjustment is recorded with who made it.
 */
let trust: Awaited<ReturnType<typeof createTestRpcTrust>>;
let inventory: InventoryHarness;
const admin = { userId: "ops", roles: ["admin"] };

beforeAll(async () => {
  trust = await createTestRpcTrust(["inventory-service", "gateway", "product-service", "checkout-service"]);
  inventory = await startInventoryHarness({ credentials: trust.settingsOf("inventory-service") });
});

afterAll(async () => {
  await inventory?.stop();
  await trust?.cleanup();
});

const clientAs = async (identity: string, user?: { userId: string; roles: string[] }) =>
  createServiceClient(InventoryService, await trust.transportAs(identity, inventory.url, user));

describe("AdjustStock", () => {
  it("puts units on the shelf for an admin, creating the stock row of a new product, and records who", async () => {
    const asAdmin = await clientAs("gateway", admin);
    const res = await asAdmin.adjustStock({ productId: "p-new-cup", adjust: 10, reason: "first delivery" });
    expect(res.stock).toMatchObject({ productId: "p-new-cup", available: 10, reserved: 0 });
    const more = await asAdmin.adjustStock({ productId: "p-new-cup", adjust: -4, reason: "stock count" });
    expect(more.stock).toMatchObject({ available: 6, reserved: 0 });
    const records = await inventory.sql<{ adjust: number; reason: string; actor: string }[]>`
      select adjust, reason, actor from stock_adjustments where product_id = 'p-new-cup' order by created_at, id`;
    expect(records).toEqual([
      { adjust: 10, reason: "first delivery", actor: "user:ops" },
      { adjust: -4, reason: "stock count", actor: "user:ops" },
    ]);
  });

  it("adjusts once per key: retries, even concurrent ones, change nothing; the key with another adjustment is refused", async () => {
    const asAdmin = await clientAs("gateway", admin);
    const productId = await inventory.addProduct(5);
    const delivery = { productId, adjust: 7, reason: "delivery 42", adjustmentKey: "delivery-42" };
    const answers = await Promise.all([1, 2, 3].map(() => asAdmin.adjustStock(delivery)));
    expect(answers.map((a) => a.stock?.available)).toEqual([12, 12, 12]);
    expect((await asAdmin.adjustStock(delivery)).stock?.available).toBe(12);
    expect(await failureOf(asAdmin.adjustStock({ ...delivery, adjust: 8 }))).toMatchObject({
      code: Code.FailedPrecondition,
      reason: "ADJUSTMENT_KEY_REUSED",
    });
    const [recorded] = await inventory.sql<{ count: number }[]>`
      select count(*)::int as count from stock_adjustments where product_id = ${productId}`;
    expect(recorded?.count).toBe(1);
    expect(await inventory.stockOf(productId)).toEqual({ available: 12, reserved: 0 });
  });

  it("refuses a customer (PERMISSION_DENIED) and a service with no business adjusting, and changes nothing", async () => {
    const productId = await inventory.addProduct(5);
    const customer = await clientAs("gateway", { userId: "alice", roles: [] });
    expect(await failureOf(customer.adjustStock({ productId, adjust: 100, reason: "free stock" }))).toMatchObject({
      code: Code.PermissionDenied,
      reason: "ADMIN_ROLE_REQUIRED",
    });
    const checkout = await clientAs("checkout-service");
    expect(await failureOf(checkout.adjustStock({ productId, adjust: 1, reason: "x" }))).toMatchObject({
      code: Code.PermissionDenied,
      reason: "CALLER_NOT_ALLOWED",
    });
    expect(await inventory.stockOf(productId)).toEqual({ available: 5, reserved: 0 });
    // The product service adjusts for the product an admin is creating.
    const products = await clientAs("product-service");
    expect((await products.adjustStock({ productId, adjust: 1, reason: "initial stock" })).stock?.available).toBe(6);
  });

  it("never takes stock on hand below what is reserved: FAILED_PRECONDITION naming how many may go", async () => {
    const productId = await inventory.addProduct(5);
    const asAdmin = await clientAs("gateway", admin);
    const checkout = await clientAs("checkout-service");
    await checkout.reserve({ checkoutId: checkoutId(), items: [{ productId, quantity: 3 }] });
    expect(await inventory.stockOf(productId)).toEqual({ available: 2, reserved: 3 });
    const refused = await failureOf(asAdmin.adjustStock({ productId, adjust: -3, reason: "damaged" }));
    expect(refused).toEqual({
      code: Code.FailedPrecondition,
      reason: "STOCK_BELOW_RESERVED",
      lines: [{ productId, requested: 3, available: 2 }],
    });
    expect(await inventory.stockOf(productId)).toEqual({ available: 2, reserved: 3 });
    const [count] = await inventory.sql<{ n: number }[]>`
      select count(*)::int as n from stock_adjustments where product_id = ${productId}`;
    expect(count?.n).toBe(0);
    // Exactly what is not reserved may go.
    expect((await asAdmin.adjustStock({ productId, adjust: -2, reason: "damaged" })).stock).toMatchObject({
      available: 0,
      reserved: 3,
    });
  });
});
