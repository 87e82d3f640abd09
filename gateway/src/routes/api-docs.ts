import { createRequire } from "node:module";
import path from "node:path";
import { Hono } from "hono";
import type { GatewayEnv } from "../context.js";
import { servePageFiles } from "../page-files.js";

/** Where the interactive API reference is served. */
export const DOCS_PATH = "/docs";

const require = createRequire(import.meta.url);
const distDir = path.dirname(require.resolve("swagger-ui-dist/swagger-ui-bundle.js"));
const { version } = require("swagger-ui-dist/package.json") as { version: string };

/** The only files served from swagger-ui-dist; the maps are for devtools. */
const ASSETS = [
  "swagger-ui-bundle.js",
  "swagger-ui-bundle.js.map",
  "swagger-ui.css",
  "swagger-ui.css.map",
  "favicon-32x32.png",
];

/** The page and its start script change with the gateway: always revalidated. */
const OWN_CACHE_CONTROL = "no-cache";
/** The library's files sit under its version, so a cached copy is never stale. */
const ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable";

/**
 * GET /docs: Swagger UI on the gateway's own OpenAPI document, every file served from here.
 * Not part of the REST API, so not in the document, like /metrics.
 */
export function apiDocsRoutes(options: { documentPath: string; title: string }) {
  const assets = `${DOCS_PATH}/assets/${version}`;
  const startScript = `${DOCS_PATH}/start.js`;
  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title}</title>
<link rel="stylesheet" href="${assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="${assets}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${assets}/swagger-ui-bundle.js"></script>
<script src="${startScript}"></script>
</body>
</html>
`;
  // A file, not an inline script, so the policy needs no 'unsafe-inline'. validatorUrl null:
  // by default Swagger UI sends the document to validator.swagger.io for a badge.
  const start = `window.ui = SwaggerUIBundle(${JSON.stringify({
    url: options.documentPath,
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
  })});\n`;

  const app = new Hono<GatewayEnv>();
  // The page policy (app.ts) keeps it to files from this gateway: it works with no internet.
  app.get("/", (c) => c.html(page, 200, { "Cache-Control": OWN_CACHE_CONTROL }));
  app.get("/start.js", (c) =>
    c.body(start, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": OWN_CACHE_CONTROL }),
  );
  const serveAsset = servePageFiles(
    new Map(ASSETS.map((name) => [name, path.join(distDir, name)])),
    ASSET_CACHE_CONTROL,
  );
  app.get(`/assets/${version}/:file`, (c) => serveAsset(c, c.req.param("file")));
  return app;
}
