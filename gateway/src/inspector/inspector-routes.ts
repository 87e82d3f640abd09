import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { extname, join } from "node:path";
import { type Context, Hono } from "hono";
import type { GatewayEnv } from "../context.js";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};

interface Asset {
  body: string;
  type: string;
}

/** The page's files, read once: a fixed set, so no request path ever reaches the file system. */
function loadAssets(folder: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(folder, { recursive: true, encoding: "utf8" })) {
    const type = CONTENT_TYPES[extname(name)];
    if (type) assets.set(name.split("\\").join("/"), { body: readFileSync(join(folder, name), "utf8"), type });
  }
  // The layout library, served from the gateway's own dependencies (no CDN at run time).
  const require = createRequire(import.meta.url);
  const elk = require.resolve("elkjs/lib/elk.bundled.js");
  assets.set("vendor/elk.bundled.js", { body: readFileSync(elk, "utf8"), type: CONTENT_TYPES[".js"] as string });
  return assets;
}

/**
 * GET /inspector/: the saga inspector, static files committed under gateway/inspector/. The page
 * is public; every data call it makes carries the operator's admin token to /api/v1/admin.
 */
export function inspectorRoutes(): Hono<GatewayEnv> {
  const assets = loadAssets(new URL("../../inspector", import.meta.url).pathname);
  const app = new Hono<GatewayEnv>();
  const serve = (c: Context<GatewayEnv>, name: string) => {
    const asset = assets.get(name);
    if (!asset) return c.notFound();
    return c.body(asset.body, 200, { "content-type": asset.type, "cache-control": "no-cache" });
  };
  // Relative asset paths in the page need the trailing slash.
  app.get("/", (c) => c.redirect(`${c.req.path}/`, 301));
  app.get("/*", (c) => {
    const name = c.req.path.slice(c.req.path.indexOf("/inspector/") + "/inspector/".length);
    return serve(c, name === "" ? "index.html" : name);
  });
  return app;
}
