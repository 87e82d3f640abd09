import http from "node:http";
import type { Registry } from "prom-client";
import { listen } from "./listen.js";
import type { Logger } from "./logger.js";
import { checkReadiness, type ReadinessCheck, type ReadinessReport } from "./readiness.js";

export interface AdminServer {
  readonly port: number;
  close(): Promise<void>;
}

export interface AdminServerOptions {
  /** 0: any free port. */
  port: number;
  host?: string;
  logger: Logger;
  /** What readiness checks: the service's own dependencies, by name. */
  checks: Record<string, ReadinessCheck>;
  registry: Registry;
}

/**
 * The operator's side door of a service process, plain HTTP/1.1 next to the h2c RPC port (which
 * probes and Prometheus cannot speak): `GET /health/live` (the process answers), `GET
 * /health/ready` (200 or 503 with every dependency check, its latency and error) and `GET
 * /metrics` (Prometheus text).
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const { logger, registry } = options;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const reply = (status: number, contentType: string, body: string) => {
      res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
      res.end(body);
    };
    const json = (status: number, body: unknown) => reply(status, "application/json", JSON.stringify(body));
    if (req.method !== "GET" && req.method !== "HEAD") return json(405, { error: "only GET" });
    if (path === "/health/live") return json(200, { status: "ok" });
    if (path === "/health/ready") {
      checkReadiness(options.checks).then(
        (report: ReadinessReport) => json(report.status === "not_ready" ? 503 : 200, report),
        (err: unknown) => json(503, { status: "not_ready", error: String(err) }),
      );
      return;
    }
    if (path === "/metrics") {
      registry.metrics().then(
        (text) => reply(200, registry.contentType, text),
        (err: unknown) => {
          logger.error({ err }, "collecting metrics failed");
          reply(500, "text/plain", "collecting metrics failed\n");
        },
      );
      return;
    }
    json(404, { error: "not found; try /health/live, /health/ready or /metrics" });
  });
  const port = await listen(server, options.port, options.host);
  logger.info({ port }, "admin server listening (/health/live, /health/ready, /metrics)");
  return {
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Probes and scrapes are short: nothing is worth waiting for.
      server.closeAllConnections();
      await closed;
    },
  };
}
