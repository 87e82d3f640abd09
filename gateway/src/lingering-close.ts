import type { IncomingMessage, Server } from "node:http";

/** How long the rest of a refused body is read after the answer, before the socket is closed. */
export const LINGER_MS = 5_000;
/** How much of a refused body is read and discarded, at most, before the socket is closed. */
export const LINGER_MAX_BYTES = 16 * 1024 * 1024;

/**
 * A lingering close for answers sent before the request body was read (a 413 from the body
 * limit, a 401 before the body is looked at): the rest of the body is read and discarded, for up
 * to LINGER_MS and LINGER_MAX_BYTES, and only a client that sends more than that has its socket
 * closed. Closing at once resets the connection while the client is still writing, and the reset
 * throws away the answer it has not read yet; a kept-alive connection is reused for the next
 * request once the body is drained.
 *
 * @hono/node-server's own clean-up (autoCleanupIncoming) is off where this is on: it gives up
 * after 500 ms, and stalls before that when the app had begun reading the body as a web stream,
 * whose back-pressure keeps pausing the request it tries to drain.
 */
export function discardUnreadBodies(server: Server): void {
  server.on("request", (req: IncomingMessage, res) => {
    res.once("finish", () => {
      if (!req.complete) discardRestOfBody(req);
    });
  });
}

function discardRestOfBody(req: IncomingMessage): void {
  let discarded = 0;
  const close = () => {
    cleanup();
    if (!req.socket.destroyed) req.socket.destroySoon();
  };
  const onData = (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_MAX_BYTES) close();
  };
  const cleanup = () => {
    clearTimeout(timer);
    req.off("data", onData);
    req.off("end", cleanup);
    req.off("error", cleanup);
  };
  const timer = setTimeout(close, LINGER_MS);
  timer.unref();
  // The app's readers (a web stream over the request) pause it when nobody pulls; they are done.
  req.removeAllListeners("data");
  req.on("data", onData);
  req.once("end", cleanup);
  req.once("error", cleanup);
  req.resume();
}
