import { create } from "@bufbuild/protobuf";
import { type TaxClass, toMoneyProto } from "@checkout-saga/shared";
import {
  type Product as ProductMessage,
  ProductSchema,
  TaxClass as TaxClassMessage,
} from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import { type Product, priceIn } from "../domain/product.js";

const taxClassMessage: Record<TaxClass, TaxClassMessage> = {
  standard: TaxClassMessage.STANDARD,
  reduced: TaxClassMessage.REDUCED,
};

/** A product as the API shows it, `price` in `currency` (unset when it is not sold in it). */
export function toProductMessage(p: Product, currency: string): ProductMessage {
  const price = priceIn(p, currency);
  return create(ProductSchema, {
    id: p.id,
    name: p.name,
    description: p.description,
    price: price && toMoneyProto(price),
    prices: p.prices.map(toMoneyProto),
    taxClass: taxClassMessage[p.taxClass],
    imageUrl: p.imageUrl,
    offSale: !p.sellable,
  });
}
