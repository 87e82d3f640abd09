import { createServiceClient, DomainError } from "@checkout-saga/shared";
import { ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import type { Transport } from "@connectrpc/connect";
import type { ProductCatalog } from "../domain/product-catalog.js";

/** The catalog as the product service answers it over Connect. */
export function createProductCatalogClient(transport: Transport): ProductCatalog {
  const client = createServiceClient(ProductService, transport);
  return {
    async check(productIds, currency) {
      try {
        const res = await client.validateProducts({ ids: productIds, currency });
        return { missing: res.invalidIds, unpriced: res.unpricedIds, unsellable: res.unsellableIds };
      } catch (err) {
        // The caller cannot fix this; say which dependency failed and keep the cause for logs.
        throw new DomainError(
          "unavailable",
          "PRODUCT_SERVICE_UNAVAILABLE",
          "the product catalog could not be reached",
          {},
          { cause: err },
        );
      }
    },
  };
}
