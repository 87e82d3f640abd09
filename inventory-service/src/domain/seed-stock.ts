/** Stock a fresh install starts with, for the product service's seeded catalog. */
export const seedStock: ReadonlyArray<{ productId: string; available: number }> = [
  { productId: "1", available: 50 }, // Laptop
  { productId: "2", available: 200 }, // Mouse
  { productId: "3", available: 100 }, // Keyboard
  { productId: "4", available: 75 }, // Monitor
  { productId: "5", available: 150 }, // Headphones
  { productId: "6", available: 300 }, // Matcha
];
