import type { Context } from "hono";
import { ProblemError, problem } from "../problems.js";

/** Ids in paths: what the services use as keys (digits, uuids, slugs). */
const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** A path parameter that must look like an id; anything else is a 400 naming it. */
export function pathId(c: Context, name: string): string {
  const value = c.req.param(name) ?? "";
  if (!ID_PATTERN.test(value)) {
    throw new ProblemError(
      problem("validation-error", 400, `${name} must be 1..128 letters, digits or . _ : -`, {
        errors: [{ field: name, detail: "is not a valid id" }],
      }),
    );
  }
  return value;
}

export interface PageQuery {
  /** 1..100; 20 when not given. */
  limit: number;
  pageToken: string;
}

/** `?limit=&page_token=` of a collection; other query parameters are ignored. */
export function pageQuery(c: Context): PageQuery {
  const limitText = c.req.query("limit");
  const pageToken = c.req.query("page_token") ?? "";
  const issues: Array<{ field: string; detail: string }> = [];
  let limit = 20;
  if (limitText !== undefined) {
    if (!/^\d{1,3}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 100) {
      issues.push({ field: "limit", detail: `must be an integer between 1 and 100, got "${limitText.slice(0, 20)}"` });
    } else {
      limit = Number(limitText);
    }
  }
  if (pageToken.length > 1024 || /[^\x21-\x7e]/.test(pageToken)) {
    issues.push({ field: "page_token", detail: "must be a page token returned by the previous page" });
  }
  const first = issues[0];
  if (first)
    throw new ProblemError(problem("validation-error", 400, `${first.field} ${first.detail}`, { errors: issues }));
  return { limit, pageToken };
}
