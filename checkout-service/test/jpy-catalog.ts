import { create } from "@bufbuild/protobuf";
import { startRpcServer, toMoneyProto } from "@checkout-saga/shared";
import { ProductSchema, ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import { testLogger } from "@checkout-saga/shared/testing";

/**
 * A catalog that prices products in yen (the real catalog has no JPY prices yet): ProductService
 * only, for the checkout's PRODUCT_URL; the cart keeps using the real catalog to add lines.
 */
export async function startJpyCatalog(prices: Record<string, { name: string; yen: number }>) {
  const server = await startRpcServer({
    port: 0,
    host: "127.0.0.1",
    logger: testLogger(),
    routes: (router) =>
      router.service(ProductService, {
        async getProducts(req) {
          const known = req.ids.filter((id) => prices[id] !== undefined);
          return {
            products: known.map((id) =>
              create(ProductSchema, {
                id,
                name: prices[id]?.name ?? "",
                price: toMoneyProto({ currency: "JPY", amountMinor: prices[id]?.yen ?? 0 }),
              }),
            ),
            missingIds: req.ids.filter((id) => prices[id] === undefined),
          };
        },
      }),
  });
  return { server, url: `http://127.0.0.1:${server.port}` };
}
