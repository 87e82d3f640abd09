import { domainErrorInterceptor } from "@checkout-saga/shared";
import { ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import { testLogger } from "@checkout-saga/shared/testing";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createCatalogAdmin } from "../domain/catalog-admin.js";
import { seedProducts } from "../domain/product.js";
import { openSqliteCatalog } from "../store/sqlite-catalog.js";
import { productRoutes } from "./product-routes.js";

function client(storeCurrency = "USD") {
  const catalog = openSqliteCatalog(":memory:", seedProducts);
  const admin = createCatalogAdmin({
    catalog,
    stock: { add: async () => {} },
    now: () => new Date(),
    newId: () => "p-new",
  });
  const routes = productRoutes(catalog, admin, { storeCurrency, logger: testLogger("product-service") });
  const transport = createRouterTransport(routes, {
    router: { interceptors: [domainErrorInterceptor] },
  });
  return createClient(ProductService, transport);
}

describe("product routes: prices by currency", () => {
  it("prices in the requested currency, the store's by default, and lists every price", async () => {
    const products = client();
    const usd = (await products.getProduct({ id: "6" })).product;
    expect(usd?.price).toMatchObject({ currency: "USD", amountMinor: 1499n });
    expect(usd?.prices.map((p) => p.currency)).toEqual(["JPY", "USD"]);
    const jpy = (await products.getProduct({ id: "6", currency: "JPY" })).product;
    expect(jpy?.price).toMatchObject({ currency: "JPY", amountMinor: 1620n });
    expect((await client("JPY").listProducts({})).products[0]?.price?.currency).toBe("JPY");
  });

  it("leaves price unset where the product is not sold, and refuses an unknown code", async () => {
    const products = client();
    expect((await products.getProduct({ id: "1", currency: "EUR" })).product?.price).toBeUndefined();
    const err = await products.listProducts({ currency: "ABC" }).catch((e: unknown) => ConnectError.from(e));
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
    expect((err as ConnectError).message).toContain('got "ABC"');
  });

  it("validates products for a currency: unpriced ids are named", async () => {
    const products = client();
    expect(await products.validateProducts({ ids: ["1", "6"], currency: "JPY" })).toMatchObject({
      valid: true,
      unpricedIds: [],
    });
    expect(await products.validateProducts({ ids: ["1"], currency: "EUR" })).toMatchObject({
      valid: false,
      unpricedIds: ["1"],
    });
  });
});
