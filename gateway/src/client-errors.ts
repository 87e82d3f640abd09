import type { Server } from "node:http";
import type { Socket } from "node:net";
import { PROBLEM_CONTENT_TYPE, problem } from "./problems.js";

/**
 * Request line plus headers, at most: 16 KiB (Node's default, stated so it is a decision). A bearer
 * token and the documented headers fit many times over.
 */
export const MAX_HEADER_BYTES = 16 * 1024;

/** What Node's HTTP parser refuses before the app sees the request, as Node itself answers it. */
const parserRefusals: Record<string, { status: number; reason: string; slug: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: "Request Header Fields Too Large",
    slug: "header-fields-too-large",
    detail: `the request line and headers exceed ${MAX_HEADER_BYTES} bytes`,
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    reason: "Payload Too Large",
    slug: "payload-too-large",
    detail: "the chunk extensions are too large",
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: "Request Timeout",
    slug: "request-timeout",
    detail: "the request was not received in time",
  },
};

/**
 * Answers what Node's HTTP parser refuses (headers over MAX_HEADER_BYTES → 431, malformed HTTP →
 * 400) with a problem+json, like every other refusal, instead of Node's bare status line; the
 * connection is closed after it, as Node does, since the parser cannot find the next request.
 */
export function answerClientErrors(server: Server): void {
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    // Nothing can be written to a reset socket, nor once an answer has begun (Node's own rule).
    const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (err.code === "ECONNRESET" || !socket.writable || answering) {
      socket.destroy();
      return;
    }
    const refusal = parserRefusals[err.code ?? ""] ?? {
      status: 400,
      reason: "Bad Request",
      slug: "bad-request",
      detail: "the request is not valid HTTP/1.1",
    };
    const body = JSON.stringify(problem(refusal.slug, refusal.status, refusal.detail));
    socket.end(
      `HTTP/1.1 ${refusal.status} ${refusal.reason}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        "Connection: close\r\n\r\n" +
        body,
    );
  });
}
