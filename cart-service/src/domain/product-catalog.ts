/** What the cart needs from the catalog: which products exist, and which are sold in a currency. */
export interface ProductCatalog {
  /**
   * Of `productIds`: those not in the catalog, and those in it without a price in `currency`
   * (both empty when every product exists and is sold in it).
   */
  check(productIds: string[], currency: string): Promise<{ missing: string[]; unpriced: string[] }>;
}
