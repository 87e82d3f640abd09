import { type Amount, parseMoney, type TaxClass } from "@checkout-saga/shared";

/** A catalog entry. Stock is not here: the inventory service owns it. */
export interface Product {
  id: string;
  name: string;
  description: string;
  /** One price per currency it is sold in, ordered by currency code. */
  prices: Amount[];
  taxClass: TaxClass;
  imageUrl: string;
}

/** The product's price in `currency`, or undefined when it is not sold in it (never a converted guess). */
export const priceIn = (p: Product, currency: string): Amount | undefined =>
  p.prices.find((price) => price.currency === currency);

export interface ProductPage {
  products: Product[];
  /** Undefined on the last page. */
  nextCursor?: string;
}

/** Read side of the catalog, whatever stores it. */
export interface Catalog {
  get(id: string): Promise<Product | undefined>;
  getMany(ids: string[]): Promise<Product[]>;
  /** Products ordered by id, after `afterId`. */
  list(limit: number, afterId?: string): Promise<ProductPage>;
}

/** The catalog a fresh install starts with: USD and JPY (tax-inclusive) prices, as the contract lists them. */
export const seedProducts: Product[] = [
  product("1", "Laptop", "14-inch ultrabook, 16 GB RAM, 512 GB SSD", { USD: "1299.99", JPY: "189800" }),
  product("2", "Mouse", "Wireless optical mouse", { USD: "29.99", JPY: "4480" }),
  product("3", "Keyboard", "Mechanical keyboard, tenkeyless", { USD: "89.99", JPY: "13200" }),
  product("4", "Monitor", "27-inch 4K IPS monitor", { USD: "399.99", JPY: "59800" }),
  product("5", "Headphones", "Noise-cancelling over-ear headphones", { USD: "249.99", JPY: "37400" }),
  product("6", "Matcha", "Ceremonial-grade matcha, 30 g tin", { USD: "14.99", JPY: "1620" }, "reduced"),
];

function product(
  id: string,
  name: string,
  description: string,
  prices: Record<string, string>,
  taxClass: TaxClass = "standard",
): Product {
  return {
    id,
    name,
    description,
    prices: Object.entries(prices)
      .map(([currency, major]) => parseMoney(currency, major))
      .sort((a, b) => a.currency.localeCompare(b.currency)),
    taxClass,
    imageUrl: `https://images.example.com/products/${id}.jpg`,
  };
}
