import net from "node:net";

/**
 * A port that is free now, for a server started a moment later. Picked below the kernel's
 * ephemeral range (32768–60999 on Linux), where outgoing connections take their local ports:
 * a port the kernel hands out for "any free port" can be reused by the next outgoing
 * connection before our server binds it.
 */
/** Ports this process handed out already. */
const handedOut = new Set<number>();

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    // Free now is not enough: ports picked for a whole stack are bound only later, so one
    // picked earlier in this process still looks free. Never hand the same port out twice.
    if (handedOut.has(port)) continue;
    if (await canListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error("no free port found in 20000–31999");
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}
