import type { z } from "@hono/zod-openapi";
import type { FieldError } from "../openapi/schemas.js";
import { ProblemError, problem } from "../problems.js";

/** The request part a validator checked, as hono's validators name them. */
export type ValidationTarget = "json" | "query" | "param" | "header" | "form" | "cookie";

const location: Record<ValidationTarget, FieldError["in"]> = {
  json: "body",
  form: "body",
  query: "query",
  param: "path",
  header: "header",
  cookie: "header",
};

/** Characters as the field rules count them: code points, not UTF-16 units. */
const characters = (value: unknown): number => (typeof value === "string" ? [...value].length : 0);

const describe = (value: unknown): string => {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "a non-finite number";
  if (typeof value === "string")
    return characters(value) > 40 ? `a string of ${characters(value)} characters` : JSON.stringify(value);
  return `a ${typeof value}`;
};

const valueAt = (input: unknown, path: readonly PropertyKey[]): unknown => {
  let v = input;
  for (const key of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
};

const dotted = (path: readonly PropertyKey[]): string => path.map(String).join(".");

const expectedNames: Record<string, string> = {
  int: "an integer",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  object: "a JSON object",
  array: "an array",
};

/** One zod issue as field errors a person can act on, with what was sent where that helps. */
function fieldErrors(issue: z.core.$ZodIssue, input: unknown, where: FieldError["in"]): FieldError[] {
  const path = dotted(issue.path);
  const got = valueAt(input, issue.path);
  const error = (message: string, at = path): FieldError => ({ path: at || "(body)", in: where, message });
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => error("is not a known field", dotted([...issue.path, key])));
    case "invalid_type":
      if (got === undefined) return [error("is required")];
      return [error(`must be ${expectedNames[issue.expected] ?? issue.expected}, got ${describe(got)}`)];
    case "too_small":
      if (issue.origin === "string") {
        return [error(`must be at least ${issue.minimum} characters long, got ${characters(got)}`)];
      }
      if (issue.origin === "array") {
        return [error(`must have at least ${issue.minimum} items, got ${Array.isArray(got) ? got.length : 0}`)];
      }
      return [error(`must be at least ${issue.minimum}, got ${describe(got)}`)];
    case "too_big":
      if (issue.origin === "string") {
        return [error(`must be at most ${issue.maximum} characters long, got ${characters(got)}`)];
      }
      if (issue.origin === "array") {
        return [error(`must have at most ${issue.maximum} items, got ${Array.isArray(got) ? got.length : 0}`)];
      }
      return [error(`must be at most ${issue.maximum}, got ${describe(got)}`)];
    case "invalid_value":
      return [error(`must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describe(got)}`)];
    case "invalid_format":
      // Every pattern in the schemas carries its own human message.
      return [error(issue.message.startsWith("Invalid") ? `is not a valid ${issue.format}` : issue.message)];
    default:
      return [error(issue.message)];
  }
}

/** The field errors of a failed validation of `input` (the request part as it was sent). */
export function validationErrors(error: z.ZodError, input: unknown, target: ValidationTarget): FieldError[] {
  return error.issues.flatMap((issue) => fieldErrors(issue, input, location[target]));
}

/**
 * A 400 `validation-error` problem listing every field at fault in `errors`; `detail` names
 * the first (and how many more there are).
 */
export function validationProblem(errors: FieldError[]): ProblemError {
  const first = errors[0];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  const detail = first ? `${first.path}: ${first.message}${more}` : "the request is invalid";
  return new ProblemError(problem("validation-error", 400, detail, { errors }));
}

/** The result hono's zod validator hands a hook (at runtime a failure carries the input as `data` too). */
export type ValidationResult = { target: ValidationTarget } & (
  | { success: true; data: unknown }
  | { success: false; error: z.ZodError }
);

/** The input a validator checked, as sent. */
export const validatedInput = (result: ValidationResult): unknown => (result as { data?: unknown }).data;

/**
 * A missing or malformed Idempotency-Key has problem types of its own (stable since the first
 * gateway), not the generic validation-error.
 */
function idempotencyKeyProblem(sent: unknown): ProblemError {
  if (sent === undefined || sent === "") {
    return new ProblemError(
      problem(
        "idempotency-key-missing",
        400,
        "this request needs an Idempotency-Key header (1..255 printable ASCII characters, no comma, no space at either end)",
      ),
    );
  }
  return new ProblemError(
    problem(
      "invalid-idempotency-key",
      400,
      "the Idempotency-Key must be 1..255 printable ASCII characters without a comma or a space at either end (was the header sent twice?)",
    ),
  );
}

/**
 * The default hook of every OpenAPI route: a failed validation becomes the validation-error
 * problem, thrown so the one error handler at the edge renders it.
 */
export function refuseInvalid(result: ValidationResult): undefined {
  if (result.success) return undefined;
  const input = validatedInput(result);
  if (result.target === "header" && result.error.issues.some((i) => i.path[0] === "Idempotency-Key")) {
    throw idempotencyKeyProblem((input as Record<string, unknown> | undefined)?.["Idempotency-Key"]);
  }
  throw validationProblem(validationErrors(result.error, input, result.target));
}
