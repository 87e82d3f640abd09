import type { Amount } from "@checkout-saga/shared";

/** A catalog entry. Stock is not here: the inventory service owns it. */
export interface Product {
  id: string;
  name: string;
  description: string;
  price: Amount;
  imageUrl: string;
}

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

/** The catalog a fresh install starts with (USD, minor units). */
export const seedProducts: Product[] = [
  product("1", "Laptop", "14-inch ultrabook, 16 GB RAM, 512 GB SSD", 129999),
  product("2", "Mouse", "Wireless optical mouse", 2999),
  product("3", "Keyboard", "Mechanical keyboard, tenkeyless", 8999),
  product("4", "Monitor", "27-inch 4K IPS monitor", 39999),
  product("5", "Headphones", "Noise-cancelling over-ear headphones", 24999),
];

function product(id: string, name: string, description: string, amountMinor: number): Product {
  return {
    id,
    name,
    description,
    price: { currency: "USD", amountMinor },
    imageUrl: `https://images.example.com/products/${id}.jpg`,
  };
}
