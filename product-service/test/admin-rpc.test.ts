import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createServiceClient, errorDetail } from "@checkout-saga/shared";
import { ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import { createTestRpcTrust, testLogger } from "@checkout-saga/shared/testing";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InventoryHarness, startInventoryHarness } from "../../inventory-service/test/inventory-harness.js";
import { loadProductConfig, type ProductService as RunningProducts, startProductService } from "../src/index.js";

/*
 * The admin RPCs on the real product service (a SQLite file) and the real inventory service
 * (PostgreSQL), credentials on, called as the gateway calls them: with an admin's assertion, or
 * a customer's.
 */
let trust: Awaited<ReturnType<typeof createTestRpcTrust>>;
let inventory: InventoryHarness;
let dataDir: string;
const started: RunningProducts[] = [];
let productsUrl: string;

const admin = { userId: "ops", roles: ["admin"] };
const customer = { userId: "alice", roles: [] };

async function startProducts(inventoryUrl: string): Promise<string> {
  const config = loadProductConfig({
    PRODUCT_PORT: "0",
    PRODUCT_DATABASE_PATH: path.join(dataDir, `product-${started.length}.db`),
    INVENTORY_URL: inventoryUrl,
  });
  const service = await startProductService(
    { ...config, credentials: trust.settingsOf("product-service") },
    testLogger("product-service"),
  );
  started.push(service);
  return `http://127.0.0.1:${service.port}`;
}

beforeAll(async () => {
  trust = await createTestRpcTrust(["product-service", "inventory-service", "gateway", "cart-service"]);
  dataDir = await mkdtemp(path.join(os.tmpdir(), "product-admin-"));
  inventory = await startInventoryHarness({ credentials: trust.settingsOf("inventory-service") });
  productsUrl = await startProducts(inventory.url);
});

afterAll(async () => {
  for (const s of started) await s.stop();
  await inventory?.stop();
  await trust?.cleanup();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const productsAs = async (user?: { userId: string; roles: string[] }, url = productsUrl) =>
  createServiceClient(ProductService, await trust.transportAs("gateway", url, user));

async function failure(call: Promise<unknown>) {
  try {
    await call;
  } catch (err) {
    return { code: ConnectError.from(err).code, reason: errorDetail(err)?.reason };
  }
  throw new Error("expected the call to fail");
}

const teaCup = {
  name: "Tea cup",
  description: "Hand-thrown",
  prices: [
    { currency: "USD", amountMinor: 2400 },
    { currency: "JPY", amountMinor: 3300 },
  ],
  initialStock: 10,
};

describe("CreateProduct", () => {
  it("adds a sellable product with its prices and puts its initial stock in the inventory service", async () => {
    const products = await productsAs(admin);
    const { product } = await products.createProduct({ ...teaCup, taxClass: "reduced" });
    expect(product).toMatchObject({ name: "Tea cup", offSale: false, price: { currency: "USD", amountMinor: 2400n } });
    expect(product?.prices.map((p) => [p.currency, p.amountMinor])).toEqual([
      ["JPY", 3300n],
      ["USD", 2400n],
    ]);
    const id = product?.id ?? "";
    const read = await products.getProduct({ id, currency: "JPY" });
    expect(read.product?.price?.amountMinor).toBe(3300n);
    expect(await inventory.stockOf(id)).toEqual({ available: 10, reserved: 0 });
    const [adjustment] = await inventory.sql<{ adjust: number; actor: string; reason: string }[]>`
      select adjust, actor, reason from stock_adjustments where product_id = ${id}`;
    expect(adjustment).toEqual({
      adjust: 10,
      actor: "service:product-service",
      reason: `initial stock of new product ${id}, by user:ops`,
    });
  });

  it("refuses a customer with PERMISSION_DENIED and adds nothing", async () => {
    const before = (await (await productsAs()).listProducts({ pageSize: 100 })).products.length;
    const products = await productsAs(customer);
    expect(await failure(products.createProduct(teaCup))).toEqual({
      code: Code.PermissionDenied,
      reason: "ADMIN_ROLE_REQUIRED",
    });
    expect(await failure(products.updateProduct({ id: "1", sellable: false }))).toEqual({
      code: Code.PermissionDenied,
      reason: "ADMIN_ROLE_REQUIRED",
    });
    const after = await (await productsAs()).listProducts({ pageSize: 100 });
    expect(after.products).toHaveLength(before);
    expect(after.products.find((p) => p.id === "1")?.offSale).toBe(false);
  });

  it("refuses two prices in one currency before anything is written", async () => {
    const products = await productsAs(admin);
    const prices = [...teaCup.prices, { currency: "USD", amountMinor: 1 }];
    expect(await failure(products.createProduct({ ...teaCup, prices }))).toEqual({
      code: Code.InvalidArgument,
      reason: "DUPLICATE_CURRENCY",
    });
  });

  it("adds nothing to the catalog when the stock cannot be set", async () => {
    // An inventory address nobody answers.
    const url = await startProducts("http://127.0.0.1:9");
    const products = await productsAs(admin, url);
    const before = (await products.listProducts({ pageSize: 100 })).products.length;
    expect(await failure(products.createProduct(teaCup))).toEqual({
      code: Code.Unavailable,
      reason: "INVENTORY_SERVICE_UNAVAILABLE",
    });
    expect((await products.listProducts({ pageSize: 100 })).products).toHaveLength(before);
  });
});

describe("UpdateProduct", () => {
  it("changes prices, description and sellability; an unsellable product fails validation by name", async () => {
    const products = await productsAs(admin);
    const { product } = await products.updateProduct({
      id: "2",
      prices: [{ currency: "USD", amountMinor: 3499 }],
      description: "Wireless, now with USB-C",
    });
    expect(product).toMatchObject({ price: { amountMinor: 3499n }, description: "Wireless, now with USB-C" });
    expect(product?.prices).toHaveLength(1);
    // Unset fields stay as they are.
    const offSale = await products.updateProduct({ id: "2", sellable: false });
    expect(offSale.product).toMatchObject({ offSale: true, description: "Wireless, now with USB-C" });
    // As the cart asks before writing a line.
    const cart = createServiceClient(ProductService, await trust.transportAs("cart-service", productsUrl));
    expect(await cart.validateProducts({ ids: ["1", "2"], currency: "USD" })).toMatchObject({
      valid: false,
      invalidIds: [],
      unsellableIds: ["2"],
    });
    await products.updateProduct({ id: "2", sellable: true });
    expect((await cart.validateProducts({ ids: ["2"] })).valid).toBe(true);
  });

  it("answers NOT_FOUND for an unknown product", async () => {
    const products = await productsAs(admin);
    expect(await failure(products.updateProduct({ id: "nope", sellable: false }))).toEqual({
      code: Code.NotFound,
      reason: "PRODUCT_NOT_FOUND",
    });
  });
});
