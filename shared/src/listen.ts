import type net from "node:net";

/** Binds `server` and resolves with the port it got (the one asked for, or the kernel's pick for 0). */
export async function listen(server: net.Server, port: number, host = "0.0.0.0"): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === "object" && address ? address.port : port;
}
