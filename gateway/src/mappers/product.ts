import { type Product, TaxClass } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import type { ProductJson } from "../openapi/schemas.js";
import { moneyJson } from "./json.js";

/**
 * A product with the inventory service's current available count (0 when it has no stock row);
 * `price` is null when the product has no price in the requested currency.
 */
export function productJson(p: Product, available: number): ProductJson {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    price: p.price ? moneyJson(p.price) : null,
    prices: p.prices.map(moneyJson),
    tax_class: p.taxClass === TaxClass.REDUCED ? "reduced" : "standard",
    image_url: p.imageUrl,
    sellable: !p.offSale,
    available,
  };
}
