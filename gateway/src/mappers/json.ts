import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import type { Amount } from "@checkout-saga/shared";
import type { Money, Totals } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/common_pb";
import type { MoneyJson, TotalsJson } from "../openapi/schemas.js";

export type { MoneyJson };

export const amountJson = (a: Amount): MoneyJson => ({ currency: a.currency, amount_minor: a.amountMinor });

/** Proto Money (int64 as bigint) as JSON; amounts stay far below 2^53. */
export const moneyJson = (m: Money | undefined): MoneyJson => ({
  currency: m?.currency ?? "",
  amount_minor: Number(m?.amountMinor ?? 0n),
});

/**
 * Totals as JSON (rates as "10%"). A checkout or order from before totals existed has none: its
 * total alone then, with no tax breakdown.
 */
export function totalsJson(t: Totals | undefined, total: Money | undefined): TotalsJson {
  if (!t) {
    const charged = moneyJson(total);
    return { subtotal: charged, points_redeemed: { ...charged, amount_minor: 0 }, total: charged, tax: null };
  }
  return {
    subtotal: moneyJson(t.subtotal),
    points_redeemed: moneyJson(t.pointsRedeemed),
    total: moneyJson(t.total),
    tax: t.tax
      ? {
          included: true,
          lines: t.tax.lines.map((l) => ({
            rate: `${l.ratePercent}%`,
            taxable: moneyJson(l.taxable),
            tax: moneyJson(l.tax),
          })),
        }
      : null,
  };
}

/** An ISO 8601 UTC timestamp, or null when the service left it unset. */
export const isoTime = (t: Timestamp | undefined): string | null => (t ? timestampDate(t).toISOString() : null);

/** A collection page: `next_page_token` is null on the last page. */
export interface Page<T> {
  items: T[];
  next_page_token: string | null;
}

export const page = <T>(items: T[], nextPageToken: string): Page<T> => ({
  items,
  next_page_token: nextPageToken === "" ? null : nextPageToken,
});
