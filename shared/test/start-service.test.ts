import net from "node:net";
import { ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import type { ConnectRouter } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { defineCallPolicy, type ServiceParts, type ServiceScope, startService } from "../src/index.js";
import { CREDENTIALS_OFF, testLogger } from "../src/testing/index.js";

/** A service nobody calls here: any policy will do. */
const callPolicy = defineCallPolicy(ProductService, {
  getProduct: {},
  getProducts: {},
  listProducts: {},
  validateProducts: {},
  createProduct: {},
  updateProduct: {},
});

/** Whether something accepts TCP connections on the port right now. */
const accepting = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/** A composition that writes down what happens to each part, and whether the servers still listen then. */
function recordingComposition(log: string[], ports: { rpc?: number; admin?: number }) {
  const servers = async () =>
    `rpc ${(await accepting(ports.rpc!)) ? "up" : "down"}, admin ${(await accepting(ports.admin!)) ? "up" : "down"}`;
  return (scope: ServiceScope): ServiceParts => {
    scope.resource("pool", async () => void log.push(`close pool (${await servers()})`));
    scope.resource("store", async () => void log.push(`close store (${await servers()})`));
    scope.background(async () => void log.push(`stop consumer (${await servers()})`));
    scope.periodic(() => {
      log.push("start sweeper");
      return { stop: async () => void log.push(`stop sweeper (${await servers()})`) };
    });
    return { routes: (router: ConnectRouter) => router.service(ProductService, {}), callPolicy, checks: {} };
  };
}

describe("startService", () => {
  it("starts migrations, composition, servers, then periodic tasks; stops servers, work, then resources", async () => {
    const log: string[] = [];
    const ports: { rpc?: number; admin?: number } = {};
    const compose = recordingComposition(log, ports);
    const service = await startService({
      name: "test-service",
      credentials: CREDENTIALS_OFF,
      logger: testLogger(),
      port: 0,
      adminPort: 0,
      host: "127.0.0.1",
      migrate: async () => void log.push("migrate"),
      compose: (scope) => {
        log.push("compose");
        return compose(scope);
      },
    });
    ports.rpc = service.port;
    ports.admin = service.adminPort;
    const health = await fetch(`http://127.0.0.1:${service.adminPort}/health/ready`);
    expect(health.status).toBe(200);
    await service.stop();
    await service.stop();
    expect(log).toEqual([
      "migrate",
      "compose",
      "start sweeper",
      "stop sweeper (rpc down, admin down)",
      "stop consumer (rpc down, admin down)",
      "close store (rpc down, admin down)",
      "close pool (rpc down, admin down)",
    ]);
  });

  it("stops what a failed start had started, in the same order, and rethrows", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const takenPort = (taken.address() as net.AddressInfo).port;
    const log: string[] = [];
    try {
      const start = startService({
        name: "test-service",
        credentials: CREDENTIALS_OFF,
        logger: testLogger(),
        port: 0,
        adminPort: takenPort,
        host: "127.0.0.1",
        compose: (scope) => {
          scope.resource("pool", () => void log.push("close pool"));
          scope.background(() => void log.push("stop consumer"));
          scope.periodic(() => {
            log.push("start sweeper");
            return { stop: async () => {} };
          });
          return { routes: (router) => router.service(ProductService, {}), callPolicy, checks: {} };
        },
      });
      await expect(start).rejects.toThrow(/EADDRINUSE/);
      expect(log).toEqual(["stop consumer", "close pool"]);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
