import { create } from "@bufbuild/protobuf";
import type { Totals } from "./consumption-tax.js";
import {
  TaxBreakdownSchema,
  TaxLineSchema,
  type Totals as TotalsMessage,
  TotalsSchema,
} from "./gen/checkoutsaga/common/v1/common_pb.js";
import { fromMoneyProto, toMoneyProto } from "./money.js";

/** Totals on the wire (Checkout, Order, CheckoutCompleted): the tax unset where the currency has none. */
export function toTotalsProto(t: Totals): TotalsMessage {
  return create(TotalsSchema, {
    subtotal: toMoneyProto(t.subtotal),
    pointsRedeemed: toMoneyProto(t.pointsRedeemed),
    total: toMoneyProto(t.total),
    tax: t.tax
      ? create(TaxBreakdownSchema, {
          included: t.tax.included,
          lines: t.tax.lines.map((l) =>
            create(TaxLineSchema, {
              ratePercent: l.ratePercent,
              taxable: toMoneyProto(l.taxable),
              tax: toMoneyProto(l.tax),
            }),
          ),
        })
      : undefined,
  });
}

export function fromTotalsProto(m: TotalsMessage): Totals {
  return {
    subtotal: fromMoneyProto(m.subtotal),
    pointsRedeemed: fromMoneyProto(m.pointsRedeemed),
    total: fromMoneyProto(m.total),
    tax: m.tax
      ? {
          included: true,
          lines: m.tax.lines.map((l) => ({
            ratePercent: l.ratePercent,
            taxable: fromMoneyProto(l.taxable),
            tax: fromMoneyProto(l.tax),
          })),
        }
      : null,
  };
}
