import type { Product } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import { type MoneyJson, moneyJson } from "./json.js";

export interface ProductJson {
  id: string;
  name: string;
  description: string;
  price: MoneyJson;
  image_url: string;
  /** The inventory service's current available count (0 when it has no stock row). */
  available: number;
}

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
