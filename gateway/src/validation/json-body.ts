import type { Context } from "hono";
import { ProblemError, problem } from "../problems.js";
import { type Schema, validate } from "./schema.js";

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Reads the request body as JSON and checks it against `schema`. Refuses, with a 4xx problem
 * naming what is wrong, a body that is not declared as JSON (415), is empty or not JSON
 * (400), or does not match (400). The size limit is enforced earlier (413).
 */
export async function readJsonBody<T>(c: Context, schema: Schema<T>): Promise<T> {
  const contentType = c.req.header("content-type") ?? "";
  if (!JSON_MEDIA_TYPE.test(contentType)) {
    throw new ProblemError(
      problem(
        "unsupported-media-type",
        415,
        contentType
          ? `the body must be application/json, got ${contentType.slice(0, 100)}`
          : "the body must be application/json; the Content-Type header is missing",
      ),
    );
  }
  const text = await c.req.text();
  if (text.trim() === "") throw new ProblemError(problem("invalid-json", 400, "the request body is empty"));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ProblemError(problem("invalid-json", 400, `the body is not valid JSON: ${(err as Error).message}`));
  }
  return validate(schema, value);
}
