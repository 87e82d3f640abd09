import {
  afterIdPageToken,
  callActor,
  currencyExponent,
  type Logger,
  notFound,
  pageSize,
  type TaxClass,
} from "@checkout-saga/shared";
import { ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import type { ConnectRouter } from "@connectrpc/connect";
import type { CatalogAdmin } from "../domain/catalog-admin.js";
import { type Catalog, priceIn } from "../domain/product.js";
import { productPrices } from "../domain/product-edits.js";
import { toProductMessage as toMessage } from "./product-message.js";

export interface ProductRoutesOptions {
  /** The currency `price` is in when a request names none. */
  storeCurrency: string;
  /** Every admin change is logged with who made it. */
  logger: Logger;
}

export function productRoutes(catalog: Catalog, admin: CatalogAdmin, options: ProductRoutesOptions) {
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
        const unsellableIds = ids.filter((id) => found.get(id)?.sellable === false);
        const unpricedIds =
          currency === undefined
            ? []
            : ids.filter((id) => {
                const p = found.get(id);
                return p !== undefined && priceIn(p, currency) === undefined;
              });
        const valid = invalidIds.length === 0 && unpricedIds.length === 0 && unsellableIds.length === 0;
        return { valid, invalidIds, unpricedIds, unsellableIds };
      },
      async createProduct(req, ctx) {
        const actor = callActor(ctx);
        const product = await admin.create(
          {
            name: req.name,
            description: req.description,
            prices: req.prices.map((p) => ({ currency: p.currency, amountMinor: p.amountMinor })),
            taxClass: (req.taxClass || "standard") as TaxClass,
            imageUrl: req.imageUrl,
          },
          req.initialStock,
          actor,
        );
        options.logger.info(
          { productId: product.id, actor, initialStock: req.initialStock },
          "product %s created by %s",
          product.id,
          actor,
        );
        return { product: toMessage(product, options.storeCurrency) };
      },
      async updateProduct(req, ctx) {
        const actor = callActor(ctx);
        const patch = {
          // An empty list leaves the prices alone: a product is never left with none.
          prices: req.prices.length > 0 ? productPrices(req.prices) : undefined,
          description: req.description,
          sellable: req.sellable,
        };
        const product = await admin.update(req.id, patch, actor);
        options.logger.info({ productId: req.id, actor, patch }, "product %s updated by %s", req.id, actor);
        return { product: toMessage(product, options.storeCurrency) };
      },
    });
}
