// Container health check: is this container's service ready? GET /health/ready on its admin port
// (<NAME>_ADMIN_PORT, derived from SERVICE: checkout-service → CHECKOUT_ADMIN_PORT); the gateway
// serves it on its own port (GATEWAY_PORT). 200 = ready; anything else, or no answer, fails.
import http from "node:http";

const service = process.env.SERVICE ?? "";
const name = service
  .replace(/-service$/, "")
  .replaceAll("-", "_")
  .toUpperCase();
const portVar = service === "gateway" ? "GATEWAY_PORT" : `${name}_ADMIN_PORT`;
const port = Number(process.env[portVar]);
if (!Number.isInteger(port) || port <= 0) {
  console.error(`healthcheck: ${portVar} is not set to a port`);
  process.exit(1);
}
const req = http.get({ host: "127.0.0.1", port, path: "/health/ready", timeout: 2000 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.once("timeout", () => process.exit(1));
req.once("error", () => process.exit(1));
