import type { MiddlewareHandler } from "hono";
import type { RouterRoute } from "hono/types";
import type { GatewayEnv } from "../context.js";
import { ProblemError, problem } from "../problems.js";

/** A registered path as a pattern, with the methods its routes take. */
interface PathMethods {
  pattern: RegExp;
  methods: Set<string>;
}

/** `/api/v1/cart/items/:product_id` → a RegExp for that path, each parameter one segment. */
function pathPattern(path: string): RegExp {
  const source = path
    .split("/")
    .map((segment) =>
      segment.startsWith(":") ? "[^/]+" : segment === "*" ? ".*" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("/");
  return new RegExp(`^${source}/?$`);
}

/**
 * RFC 9110: a method a known path does not take is 405 with `Allow`, not 404 (nor a 401 from
 * the authentication the path would need). Decided first, from the routes the app registered —
 * the same ones the OpenAPI document is generated from — read once, on the first request.
 */
export function methodNotAllowed(routes: () => RouterRoute[]): MiddlewareHandler<GatewayEnv> {
  let paths: PathMethods[] | undefined;
  const known = () => {
    if (!paths) {
      const byPath = new Map<string, Set<string>>();
      for (const r of routes()) {
        // Middleware is registered for every method; only handlers say what a path takes.
        if (r.method === "ALL") continue;
        const methods = byPath.get(r.path) ?? new Set<string>();
        methods.add(r.method);
        if (r.method === "GET") methods.add("HEAD");
        byPath.set(r.path, methods);
      }
      paths = [...byPath].map(([path, methods]) => ({ pattern: pathPattern(path), methods }));
    }
    return paths;
  };
  return async (c, next) => {
    const allowed = new Set<string>();
    for (const { pattern, methods } of known()) {
      if (pattern.test(c.req.path)) for (const m of methods) allowed.add(m);
    }
    if (allowed.size === 0 || allowed.has(c.req.method)) return next();
    const allow = [...allowed].sort().join(", ");
    throw new ProblemError(
      problem("method-not-allowed", 405, `${c.req.method} is not allowed on ${c.req.path}; allowed: ${allow}`),
      { Allow: allow },
    );
  };
}
