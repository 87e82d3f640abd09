import { create } from "@bufbuild/protobuf";
import {
  afterIdPageToken,
  currencyExponent,
  notFound,
  pageSize,
  type TaxClass,
  toMoneyProto,
} from "@checkout-saga/shared";
import {
  type Product as ProductMessage,
  ProductSchema,
  ProductService,
  TaxClass as TaxClassMessage,
} from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import type { ConnectRouter } from "@connectrpc/connect";
import { type Catalog, type Product, priceIn } from "../domain/product.js";

export interface ProductRoutesOptions {
  /** The currency `price` is in when a request names none. */
  storeCurrency: string;
}

export function productRoutes(catalog: Catalog, options: ProductRoutesOptions) {
  /** The request's currency, or the store's; an unknown code is refused (UNKNOWN_CURRENCY) before any lookup. */
  const currencyOf = (req: { currency: string }) => {
    const currency = req.currency === "" ? options.storeCurrency : req.currency;
    currencyExponent(currency);
    return currency;
  };
  return (router: ConnectRouter) =>
    router.service(ProductService, {
      async getProduct(req) {
        const currency = currencyOf(req);
        const product = await catalog.get(req.id);
        if (!product)
          throw notFound("PRODUCT_NOT_FOUND", `product ${req.id} does not exist`, { metadata: { product_id: req.id } });
        return { product: toMessage(product, currency) };
      },
      async getProducts(req) {
        const currency = currencyOf(req);
        const ids = [...new Set(req.ids)];
        const found = new Map((await catalog.getMany(ids)).map((p) => [p.id, p]));
        return {
          products: ids.flatMap((id) => {
            const p = found.get(id);
            return p ? [toMessage(p, currency)] : [];
          }),
          missingIds: ids.filter((id) => !found.has(id)),
        };
      },
      async listProducts(req) {
        const currency = currencyOf(req);
        const page = await catalog.list(pageSize(req.pageSize), afterIdPageToken.decode(req.pageToken));
        return {
          products: page.products.map((p) => toMessage(p, currency)),
          nextPageToken: page.nextCursor === undefined ? "" : afterIdPageToken.encode(page.nextCursor),
        };
      },
      async validateProducts(req) {
        // Only a named currency is checked: without one, existence is the question.
        const currency = req.currency === "" ? undefined : currencyOf(req);
        const ids = [...new Set(req.ids)];
        const found = new Map((await catalog.getMany(ids)).map((p) => [p.id, p]));
        const invalidIds = ids.filter((id) => !found.has(id));
        const unpricedIds =
          currency === undefined
            ? []
            : ids.filter((id) => {
                const p = found.get(id);
                return p !== undefined && priceIn(p, currency) === undefined;
              });
        return { valid: invalidIds.length === 0 && unpricedIds.length === 0, invalidIds, unpricedIds };
      },
    });
}

const taxClassMessage: Record<TaxClass, TaxClassMessage> = {
  standard: TaxClassMessage.STANDARD,
  reduced: TaxClassMessage.REDUCED,
};

function toMessage(p: Product, currency: string): ProductMessage {
  const price = priceIn(p, currency);
  return create(ProductSchema, {
    id: p.id,
    name: p.name,
    description: p.description,
    price: price && toMoneyProto(price),
    prices: p.prices.map(toMoneyProto),
    taxClass: taxClassMessage[p.taxClass],
    imageUrl: p.imageUrl,
  });
}
