import { fileURLToPath } from "node:url";
import { createServiceClient, createServiceTransport } from "@checkout-saga/shared";
import { CheckoutService } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { type ServiceProcess, startServiceProcess } from "@checkout-saga/shared/testing";

export interface CheckoutProcess extends ServiceProcess {
  readonly client: ReturnType<typeof createServiceClient<typeof CheckoutService>>;
}

/** Runs the checkout service the way production does: its own process, `checkout-service/src/main.ts`. */
export async function startCheckoutProcess(env: Record<string, string>): Promise<CheckoutProcess> {
  const service = await startServiceProcess({
    name: "checkout",
    entry: "checkout-service/src/main.ts",
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    portVariable: "CHECKOUT_PORT",
    startedMessage: "checkout service started",
    env,
  });
  const client = createServiceClient(CheckoutService, createServiceTransport(`http://127.0.0.1:${service.port}`));
  return { ...service, client };
}
