import { type ParseArgsConfig, parseArgs } from "node:util";

/** Bad arguments: the CLI prints the message and the command's usage, and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Strict parsing: unknown options, missing values and stray positionals are usage errors. */
export function parseOptions<T extends Options>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message, usage);
  }
}

export const helpOption = { help: { type: "boolean", short: "h" } } as const;
export const jsonOption = { json: { type: "boolean" } } as const;

/** A positive integer id (outbox ids are bigints: kept as digits). */
export function parseId(value: string, name: string, usage: string): string {
  if (!/^[1-9]\d{0,18}$/.test(value)) throw new UsageError(`${name} must be a positive integer, got "${value}"`, usage);
  return value;
}

export function parseLimit(value: string | undefined, fallback: number, max: number, usage: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) {
    throw new UsageError(`--limit must be an integer within 1..${max}, got "${value}"`, usage);
  }
  return n;
}

/** An ISO 8601 date or date-time; as with `Date`, a date alone is UTC and a date-time without a zone is local time. */
export function parseTime(value: string, name: string, usage: string): Date {
  const time = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) || Number.isNaN(time)) {
    throw new UsageError(`${name} must be an ISO 8601 time like 2026-11-02T10:00:00Z, got "${value}"`, usage);
  }
  return new Date(time);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseAggregate(value: string, usage: string): string {
  if (!UUID.test(value)) throw new UsageError(`--aggregate must be a checkout id (a UUID), got "${value}"`, usage);
  return value.toLowerCase();
}
