import { createRequire } from "node:module";
import { Hono } from "hono";
import type { GatewayEnv } from "../context.js";
import { pageFilesIn, servePageFiles } from "../page-files.js";

/** The page's files (gateway/inspector/) and the layout library from the gateway's own dependencies (no CDN at run time). */
function inspectorFiles(): Map<string, string> {
  const files = pageFilesIn(new URL("../../inspector", import.meta.url).pathname);
  files.set("vendor/elk.bundled.js", createRequire(import.meta.url).resolve("elkjs/lib/elk.bundled.js"));
  return files;
}

/**
 * GET /inspector/: the saga inspector, static files committed under gateway/inspector/. The page
 * is public; every data call it makes carries the operator's admin token to /api/v1/admin.
 */
export function inspectorRoutes(): Hono<GatewayEnv> {
  const serve = servePageFiles(inspectorFiles(), "no-cache");
  const app = new Hono<GatewayEnv>();
  // Relative asset paths in the page need the trailing slash.
  app.get("/", (c) => c.redirect(`${c.req.path}/`, 301));
  app.get("/*", (c) => {
    const name = c.req.path.slice(c.req.path.indexOf("/inspector/") + "/inspector/".length);
    return serve(c, name === "" ? "index.html" : name);
  });
  return app;
}
