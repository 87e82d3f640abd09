import net from "node:net";
import { freePort } from "@checkout-saga/shared/dev";

/** A TCP proxy in front of a local port that a test can take down and bring back, as a stopped service. */
export interface SwitchableProxy {
  /** Where callers connect instead of the target. */
  readonly url: string;
  /** Refuses new connections and cuts the open ones, as a stopped process would. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
}

/** Starts a proxy, up, forwarding to `127.0.0.1:targetPort` (h2c passes through unchanged). */
export async function startSwitchableProxy(targetPort: number): Promise<SwitchableProxy> {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };
  const server = net.createServer((client) => {
    const target = net.connect(targetPort, "127.0.0.1");
    track(client);
    track(target);
    client.pipe(target).pipe(client);
    client.on("error", () => target.destroy());
    target.on("error", () => client.destroy());
  });
  const up = () =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  const down = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  await up();
  return { url: `http://127.0.0.1:${port}`, down, up };
}
