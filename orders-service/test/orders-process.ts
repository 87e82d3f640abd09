import { fileURLToPath } from "node:url";
import { createServiceClient, createServiceTransport } from "@checkout-saga/shared";
import { OrdersService } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import { type ServiceProcess, startServiceProcess } from "@checkout-saga/shared/testing";

export interface OrdersProcess extends ServiceProcess {
  readonly client: ReturnType<typeof createServiceClient<typeof OrdersService>>;
}

/** Runs orders-service as its own OS process (orders-process-main.ts), configured by `env` only. */
export async function startOrdersProcess(env: Record<string, string>): Promise<OrdersProcess> {
  const service = await startServiceProcess({
    name: "orders",
    entry: "orders-service/test/orders-process-main.ts",
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    portVariable: "ORDERS_PORT",
    startedMessage: "orders test process started",
    env,
  });
  const client = createServiceClient(OrdersService, createServiceTransport(`http://127.0.0.1:${service.port}`));
  return { ...service, client };
}
