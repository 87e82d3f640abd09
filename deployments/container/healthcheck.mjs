// Container health check: does this container's service accept TCP connections on its port?
// A TCP probe until the services get health endpoints (issue #7). The port comes from the
// service's own <NAME>_PORT variable, derived from SERVICE (checkout-service → CHECKOUT_PORT).
import net from "node:net";

const service = process.env.SERVICE ?? "";
const portVar = `${service
  .replace(/-service$/, "")
  .replaceAll("-", "_")
  .toUpperCase()}_PORT`;
const port = Number(process.env[portVar]);
if (!Number.isInteger(port) || port <= 0) {
  console.error(`healthcheck: ${portVar} is not set to a port`);
  process.exit(1);
}
const socket = net.connect({ port, host: "127.0.0.1" });
socket.setTimeout(2000);
socket.once("connect", () => {
  socket.end();
  process.exit(0);
});
socket.once("timeout", () => process.exit(1));
socket.once("error", () => process.exit(1));
