import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

/** One POST as the receiver saw it. */
export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  /** The parsed body when the signature verified; undefined when it did not. */
  body: { type: string; timestamp: string; data: Record<string, unknown> } | undefined;
  /** What the receiver answered. */
  status: number;
  at: number;
}

/**
 * A real HTTP server standing in for the gateway's webhook route: verifies each request with
 * the Standard Webhooks library's own `Webhook.verify` (signature and timestamp), records it,
 * and answers 204 — or 500, or nothing at all, as `answerWith` says (a bad signature gets 401).
 * `close` makes it refuse connections (the gateway down); `open` listens again on the same port.
 */
export async function startWebhookReceiver(secret: string) {
  const verifier = new Webhook(secret);
  const received: ReceivedWebhook[] = [];
  let answer: "ok" | "fail" | "hang" = "ok";
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const payload = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(
        ["webhook-id", "webhook-timestamp", "webhook-signature"].map((h) => [h, String(req.headers[h] ?? "")]),
      );
      let body: ReceivedWebhook["body"];
      try {
        body = verifier.verify(payload, headers) as ReceivedWebhook["body"];
      } catch {
        body = undefined;
      }
      const status = body === undefined ? 401 : answer === "ok" ? 204 : answer === "fail" ? 500 : 0;
      received.push({
        id: headers["webhook-id"] ?? "",
        timestamp: headers["webhook-timestamp"] ?? "",
        body,
        status,
        at: Date.now(),
      });
      // "hang": read the request, never answer (until close).
      if (status !== 0) res.writeHead(status).end();
    });
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen(0);
  return {
    url: `http://127.0.0.1:${port}/api/v1/webhooks/payments`,
    received,
    /** The webhooks it took (answered 2xx), in order. */
    delivered: () => received.filter((r) => r.status === 204),
    answerWith(next: "ok" | "fail" | "hang") {
      answer = next;
    },
    async close() {
      if (!server.listening) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async open() {
      await listen(port);
    },
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
