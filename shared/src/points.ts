/**
 * Points are a yen tender, 1 point = ¥1: redeemed only on JPY carts (checkout) and earned only
 * on checkouts charged in yen (the payment service's ledger). Both services read it here.
 */
export const POINTS_CURRENCY = "JPY";
