/**
 * Konbini (pay in cash at a convenience store) as the payment provider offers it: the currency
 * and the range of totals it accepts. The provider refuses anything else; a checkout can check
 * the same figures before it reserves anything. The chains a customer may name are
 * PaymentMethod.store's field rule (payment.proto), not a list here.
 */
export const KONBINI_CURRENCY = "JPY";
/** The smallest konbini total, in minor units (JPY has none: ¥120). */
export const KONBINI_MIN_AMOUNT_MINOR = 120;
/** The largest konbini total, in minor units (¥300,000). */
export const KONBINI_MAX_AMOUNT_MINOR = 300_000;
