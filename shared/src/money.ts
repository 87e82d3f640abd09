import { create } from "@bufbuild/protobuf";
import { code as iso4217, data as iso4217Table } from "currency-codes";
import { invalidArgument } from "./errors.js";
import { type Money, MoneySchema } from "./gen/checkoutsaga/common/v1/common_pb.js";

/** Integer minor units plus currency. Arithmetic refuses to mix currencies or leave integers. */
export interface Amount {
  currency: string;
  amountMinor: number;
}

/**
 * The ISO 4217 minor-unit exponent of a currency (USD 2, JPY 0, BHD 3), from the published
 * table (the `currency-codes` package), never guessed. Codes that are not money a shop can
 * take (XXX "no currency", XTS "testing", precious metals) are refused like unknown ones.
 * Throws DomainError UNKNOWN_CURRENCY (invalid argument) naming the code.
 */
export function currencyExponent(currency: string): number {
  const record = /^[A-Z]{3}$/.test(currency) ? iso4217(currency) : undefined;
  if (!record || record.countries.every((c) => c.startsWith("Zz")))
    throw invalidArgument(
      "UNKNOWN_CURRENCY",
      `currency must be an ISO 4217 currency code such as USD or JPY, got ${JSON.stringify(currency)}`,
      { metadata: { currency } },
    );
  return record.digits;
}

/** True when `currency` is an ISO 4217 code money can be held in (see currencyExponent). */
export function isKnownCurrency(currency: string): boolean {
  try {
    currencyExponent(currency);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every code money can be held in, sorted: what the predefined field rule `iso4217_currency`
 * (shared/proto/checkoutsaga/common/v1/rules.proto) lists, and what REST documents for it.
 */
export const CURRENCY_CODES: readonly string[] = Object.freeze(
  iso4217Table
    .map((r) => r.code)
    .filter(isKnownCurrency)
    .sort(),
);

export function money(currency: string, amountMinor: number): Amount {
  if (!Number.isSafeInteger(amountMinor))
    throw new RangeError(`amount must be an integer of minor units, got ${amountMinor}`);
  currencyExponent(currency);
  return { currency, amountMinor };
}

/**
 * Parses a decimal amount in major units ("14.99" USD, "1620" JPY) into minor units, exactly:
 * no float arithmetic, and no more decimals than the currency's exponent allows.
 */
export function parseMoney(currency: string, major: string): Amount {
  const exponent = currencyExponent(currency);
  const match = /^(-?)(\d{1,15})(?:\.(\d+))?$/.exec(major);
  if (!match) throw new RangeError(`amount must be a decimal number, got ${JSON.stringify(major)}`);
  const [, sign, whole = "", fraction = ""] = match;
  if (fraction.length > exponent)
    throw new RangeError(`${currency} has ${exponent} decimal places, got ${JSON.stringify(major)}`);
  const minor = Number(whole + fraction.padEnd(exponent, "0"));
  return money(currency, sign === "-" ? -minor : minor);
}

/** "USD 1,299.99", "JPY 189,800": the amount with the currency's own number of decimals. */
export function formatMoney(a: Amount): string {
  const exponent = currencyExponent(a.currency);
  const digits = Math.abs(a.amountMinor)
    .toString()
    .padStart(exponent + 1, "0");
  const whole = digits.slice(0, digits.length - exponent).replace(/\B(?=(\d{3})+$)/g, ",");
  const fraction = exponent > 0 ? `.${digits.slice(digits.length - exponent)}` : "";
  return `${a.currency} ${a.amountMinor < 0 ? "-" : ""}${whole}${fraction}`;
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
