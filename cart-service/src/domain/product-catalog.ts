/** What the cart needs from the catalog: which products exist, are on sale, and are sold in a currency. */
export interface ProductCatalog {
  /**
   * Of `productIds`: those not in the catalog, those in it without a price in `currency`, and
   * those an admin took off sale (all empty when every product exists, is on sale and sold in it).
   */
  check(
    productIds: string[],
    currency: string,
  ): Promise<{ missing: string[]; unpriced: string[]; unsellable: string[] }>;
}
