import type { Product } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import type { ProductJson } from "../openapi/schemas.js";
import { moneyJson } from "./json.js";

/** A product with the inventory service's current available count (0 when it has no stock row). */
export function productJson(p: Product, available: number): ProductJson {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    price: moneyJson(p.price),
    image_url: p.imageUrl,
    available,
  };
}
