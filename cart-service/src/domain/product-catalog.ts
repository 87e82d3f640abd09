/** What the cart needs from the catalog: which products exist. */
export interface ProductCatalog {
  /** The ids among `productIds` that are not in the catalog (empty when all exist). */
  findMissing(productIds: string[]): Promise<string[]>;
}
