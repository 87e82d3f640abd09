import { create } from "@bufbuild/protobuf";
import { type Money, MoneySchema } from "./gen/checkoutsaga/common/v1/common_pb.js";

/** Integer minor units plus currency. Arithmetic refuses to mix currencies or leave integers. */
export interface Amount {
  currency: string;
  amountMinor: number;
}

export function money(currency: string, amountMinor: number): Amount {
  if (!Number.isSafeInteger(amountMinor))
    throw new RangeError(`amount must be an integer of minor units, got ${amountMinor}`);
  if (!/^[A-Z]{3}$/.test(currency)) throw new RangeError(`currency must be an ISO 4217 code, got ${currency}`);
  return { currency, amountMinor };
}

export function addMoney(a: Amount, b: Amount): Amount {
  if (a.currency !== b.currency) throw new RangeError(`cannot add ${a.currency} and ${b.currency}`);
  return money(a.currency, a.amountMinor + b.amountMinor);
}

export function multiplyMoney(a: Amount, quantity: number): Amount {
  if (!Number.isSafeInteger(quantity)) throw new RangeError(`quantity must be an integer, got ${quantity}`);
  return money(a.currency, a.amountMinor * quantity);
}

/** Sum of lines; an empty list sums to zero in `currency`. */
export function sumMoney(amounts: Amount[], currency: string): Amount {
  return amounts.reduce(addMoney, money(currency, 0));
}

/** Proto int64 is a bigint; amounts in this system stay far below 2^53, which money() checks. */
export const toMoneyProto = (a: Amount): Money =>
  create(MoneySchema, { currency: a.currency, amountMinor: BigInt(a.amountMinor) });
export const fromMoneyProto = (m: Money | undefined): Amount => money(m?.currency ?? "", Number(m?.amountMinor ?? 0n));
