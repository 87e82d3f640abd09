import type { RandomSource } from "./charge-outcome.js";

/** Simulated processing time in ms, inclusive bounds (PAYMENT_LATENCY_MS: "300" or "1000-2000"). */
export interface LatencyRange {
  min: number;
  max: number;
}

/** A whole number of ms drawn uniformly from the range. */
export function pickLatencyMs(range: LatencyRange, random: RandomSource): number {
  return range.min + Math.floor(random() * (range.max - range.min + 1));
}
