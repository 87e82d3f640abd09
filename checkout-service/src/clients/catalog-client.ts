import { createServiceClient, fromMoneyProto, type RetryPolicy, withRetry } from "@checkout-saga/shared";
import { ProductService, TaxClass } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import type { Transport } from "@connectrpc/connect";
import type { CatalogPort } from "../saga/ports.js";
import { lookupFailure } from "./lookup-failure.js";

export function createCatalogClient(transport: Transport, timeoutMs: number, retry: RetryPolicy): CatalogPort {
  const client = createServiceClient(ProductService, transport);
  return {
    async getProducts(ids, currency) {
      try {
        const res = await withRetry(() => client.getProducts({ ids, currency }, { timeoutMs }), retry);
        return res.products.map((p) => ({
          id: p.id,
          name: p.name,
          ...(p.price ? { price: fromMoneyProto(p.price) } : {}),
          taxClass: p.taxClass === TaxClass.REDUCED ? ("reduced" as const) : ("standard" as const),
          sellable: !p.offSale,
        }));
      } catch (err) {
        throw lookupFailure("product", err);
      }
    },
  };
}
