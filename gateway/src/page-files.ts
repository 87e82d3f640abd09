import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import type { Context } from "hono";
import type { GatewayEnv } from "./context.js";

/** The kinds of file the gateway's pages (/inspector, /docs) are made of. */
const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** Every file of a kind a page serves under `folder`, by its path there ('/'-separated). */
export function pageFilesIn(folder: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(folder, { recursive: true, encoding: "utf8" })) {
    if (Object.hasOwn(CONTENT_TYPES, extname(name))) files.set(name.split("\\").join("/"), join(folder, name));
  }
  return files;
}

/**
 * Serves a page's files: a fixed set (name in the URL → file), each read on its first request
 * and kept, so no request path ever reaches the file system. Anything else is a 404.
 */
export function servePageFiles(files: Map<string, string>, cacheControl: string) {
  const read = new Map<string, Promise<Buffer>>();
  return async (c: Context<GatewayEnv>, name: string): Promise<Response> => {
    const file = files.get(name);
    const type = CONTENT_TYPES[extname(name)];
    if (file === undefined || type === undefined) return c.notFound();
    let body = read.get(name);
    if (!body) {
      body = readFile(file);
      read.set(name, body);
      // A failed read is not kept: the next request tries the file again.
      body.catch(() => read.delete(name));
    }
    return c.body(new Uint8Array(await body), 200, { "Content-Type": type, "Cache-Control": cacheControl });
  };
}
