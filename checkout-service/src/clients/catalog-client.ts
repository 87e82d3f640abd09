import {
  createServiceClient,
  createServiceTransport,
  fromMoneyProto,
  type RetryPolicy,
  withRetry,
} from "@checkout-saga/shared";
import { ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import type { Interceptor } from "@connectrpc/connect";
import type { CatalogPort } from "../saga/ports.js";
import { lookupFailure } from "./lookup-failure.js";

export function createCatalogClient(
  baseUrl: string,
  timeoutMs: number,
  retry: RetryPolicy,
  interceptors: Interceptor[] = [],
): CatalogPort {
  const client = createServiceClient(ProductService, createServiceTransport(baseUrl, interceptors));
  return {
    async getProducts(ids) {
      try {
        const res = await withRetry(() => client.getProducts({ ids }, { timeoutMs }), retry);
        return res.products.map((p) => ({ id: p.id, name: p.name, price: fromMoneyProto(p.price) }));
      } catch (err) {
        throw lookupFailure("product", err);
      }
    },
  };
}
