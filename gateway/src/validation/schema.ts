import { ProblemError, problem } from "../problems.js";

/** One thing wrong with a request, by field path ("shipping_address.city"). */
export interface FieldIssue {
  field: string;
  detail: string;
}

/**
 * A small hand-written schema: checks a decoded JSON value and returns it typed, or records
 * why not. (Validation moves to a schema library with OpenAPI output later.)
 */
export interface Schema<T> {
  check(value: unknown, field: string, issues: FieldIssue[]): T | undefined;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

const describe = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;

export function string(options: { min?: number; max: number; pattern?: RegExp; hint?: string }): Schema<string> {
  const min = options.min ?? 1;
  return {
    check(value, field, issues) {
      if (typeof value !== "string") {
        issues.push({ field, detail: `must be a string, got ${describe(value)}` });
        return undefined;
      }
      if (value.length < min || value.length > options.max) {
        issues.push({ field, detail: `must be ${min}..${options.max} characters long, got ${value.length}` });
        return undefined;
      }
      if (options.pattern && !options.pattern.test(value)) {
        issues.push({ field, detail: `must be ${options.hint ?? `a string matching ${options.pattern}`}` });
        return undefined;
      }
      return value;
    },
  };
}

export function integer(options: { min: number; max: number }): Schema<number> {
  return {
    check(value, field, issues) {
      if (typeof value !== "number" || !Number.isInteger(value)) {
        const got = typeof value === "number" ? String(value) : describe(value);
        issues.push({ field, detail: `must be an integer between ${options.min} and ${options.max}, got ${got}` });
        return undefined;
      }
      if (value < options.min || value > options.max) {
        issues.push({ field, detail: `must be between ${options.min} and ${options.max}, got ${value}` });
        return undefined;
      }
      return value;
    },
  };
}

export function boolean(): Schema<boolean> {
  return {
    check(value, field, issues) {
      if (typeof value === "boolean") return value;
      issues.push({ field, detail: `must be true or false, got ${describe(value)}` });
      return undefined;
    },
  };
}

export function oneOf<const T extends string>(...allowed: T[]): Schema<T> {
  return {
    check(value, field, issues) {
      if (typeof value === "string" && (allowed as string[]).includes(value)) return value as T;
      const got = typeof value === "string" ? JSON.stringify(value) : describe(value);
      issues.push({ field, detail: `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${got}` });
      return undefined;
    },
  };
}

type Shape = Record<string, Schema<unknown>>;
type ObjectOf<R extends Shape, O extends Shape> = { [K in keyof R]: Infer<R[K]> } & { [K in keyof O]?: Infer<O[K]> };

/** A JSON object with exactly these members: unknown members are refused, not ignored. */
export function object<R extends Shape, O extends Shape = Record<never, never>>(
  required: R,
  optional?: O,
): Schema<ObjectOf<R, O>> {
  const known = new Set([...Object.keys(required), ...Object.keys(optional ?? {})]);
  return {
    check(value, field, issues) {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        issues.push({ field: field || "(body)", detail: `must be a JSON object, got ${describe(value)}` });
        return undefined;
      }
      const input = value as Record<string, unknown>;
      const path = (key: string) => (field ? `${field}.${key}` : key);
      const before = issues.length;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(input)) {
        if (!known.has(key)) issues.push({ field: path(key), detail: "is not a known field" });
      }
      for (const [key, schema] of Object.entries(required)) {
        if (!Object.hasOwn(input, key)) issues.push({ field: path(key), detail: "is required" });
        else out[key] = schema.check(input[key], path(key), issues);
      }
      for (const [key, schema] of Object.entries(optional ?? {})) {
        if (Object.hasOwn(input, key) && input[key] !== null) out[key] = schema.check(input[key], path(key), issues);
      }
      return issues.length === before ? (out as ObjectOf<R, O>) : undefined;
    },
  };
}

/** Checks `value` against `schema`; a mismatch throws a 400 validation-error problem listing every issue. */
export function validate<T>(schema: Schema<T>, value: unknown): T {
  const issues: FieldIssue[] = [];
  const result = schema.check(value, "", issues);
  if (issues.length > 0 || result === undefined) {
    const first = issues[0];
    const detail = first ? `${first.field} ${first.detail}` : "the request is invalid";
    throw new ProblemError(problem("validation-error", 400, detail, { errors: issues }));
  }
  return result;
}
