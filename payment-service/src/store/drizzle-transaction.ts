import type { drizzle } from "drizzle-orm/postgres-js";

/** What a drizzle transaction callback receives: the payment stores' row steps take it. */
export type Transaction = Parameters<Parameters<ReturnType<typeof drizzle>["transaction"]>[0]>[0];
