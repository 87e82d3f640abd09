import { create } from "@bufbuild/protobuf";
import { afterIdPageToken, notFound, pageSize, toMoneyProto } from "@checkout-saga/shared";
import {
  type Product as ProductMessage,
  ProductSchema,
  ProductService,
} from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import type { ConnectRouter } from "@connectrpc/connect";
import type { Catalog, Product } from "../domain/product.js";

export function productRoutes(catalog: Catalog) {
  return (router: ConnectRouter) =>
    router.service(ProductService, {
      async getProduct(req) {
        const product = await catalog.get(req.id);
        if (!product)
          throw notFound("PRODUCT_NOT_FOUND", `product ${req.id} does not exist`, { metadata: { product_id: req.id } });
        return { product: toMessage(product) };
      },
      async getProducts(req) {
        const ids = [...new Set(req.ids)];
        const found = new Map((await catalog.getMany(ids)).map((p) => [p.id, p]));
        return {
          products: ids.flatMap((id) => {
            const p = found.get(id);
            return p ? [toMessage(p)] : [];
          }),
          missingIds: ids.filter((id) => !found.has(id)),
        };
      },
      async listProducts(req) {
        const page = await catalog.list(pageSize(req.pageSize), afterIdPageToken.decode(req.pageToken));
        return {
          products: page.products.map(toMessage),
          nextPageToken: page.nextCursor === undefined ? "" : afterIdPageToken.encode(page.nextCursor),
        };
      },
      async validateProducts(req) {
        const ids = [...new Set(req.ids)];
        const found = new Set((await catalog.getMany(ids)).map((p) => p.id));
        const invalidIds = ids.filter((id) => !found.has(id));
        return { valid: invalidIds.length === 0, invalidIds };
      },
    });
}

function toMessage(p: Product): ProductMessage {
  return create(ProductSchema, {
    id: p.id,
    name: p.name,
    description: p.description,
    price: toMoneyProto(p.price),
    imageUrl: p.imageUrl,
  });
}
