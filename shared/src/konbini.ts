/**
 * Konbini (pay in cash at a convenience store) as the payment provider offers it: the currency
 * and the range of totals it accepts, and the chains a customer may name. The provider refuses
 * anything else; a checkout can check the same figures before it reserves anything.
 */
export const KONBINI_CURRENCY = "JPY";
/** The smallest konbini total, in minor units (JPY has none: ¥120). */
export const KONBINI_MIN_AMOUNT_MINOR = 120;
/** The largest konbini total, in minor units (¥300,000). */
export const KONBINI_MAX_AMOUNT_MINOR = 300_000;
/** Chains a konbini payment may name as where the customer will pay (PaymentMethod.store). */
export const KONBINI_STORES = ["familymart", "lawson", "ministop", "seicomart", "seven_eleven"] as const;
