import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { createServiceClient, createServiceTransport, errorDetail } from "@checkout-saga/shared";
import { CartService } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import { CheckoutService } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { InventoryService } from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import { OrdersService } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import { PaymentService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import { Code, ConnectError } from "@connectrpc/connect";
import { SERVICES } from "../stack/topology.js";
import { E2EFailure } from "./e2e-scenario.js";
import { credentialsInBanner } from "./rpc-credential-flags.js";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const BUF = path.join(repoRoot, "node_modules/.bin/buf");
const execFileAsync = promisify(execFile);

/** A user no scenario buys as. */
const NOBODY = "stack-credentials-nobody";

/**
 * One read per service: over `buf curl` (and what it exits with when let through: 8 × the
 * code), and the same through a raw Connect client.
 */
const READS: Record<string, { method: string; body: object; letThrough: number; raw(url: string): Promise<unknown> }> =
  {
    "product-service": {
      method: "checkoutsaga.product.v1.ProductService/GetProducts",
      body: { ids: ["1"] },
      letThrough: 0,
      raw: (url) => createServiceClient(ProductService, createServiceTransport(url)).getProducts({ ids: ["1"] }),
    },
    "cart-service": {
      method: "checkoutsaga.cart.v1.CartService/GetCart",
      body: {},
      letThrough: 0,
      raw: (url) => createServiceClient(CartService, createServiceTransport(url)).getCart({ userId: NOBODY }),
    },
    "inventory-service": {
      method: "checkoutsaga.inventory.v1.InventoryService/GetStock",
      body: { productIds: ["1"] },
      letThrough: 0,
      raw: (url) => createServiceClient(InventoryService, createServiceTransport(url)).getStock({ productIds: ["1"] }),
    },
    // Let through, it looks the payment up: not_found.
    "payment-service": {
      method: "checkoutsaga.payment.v1.PaymentService/GetPayment",
      body: { paymentId: "none" },
      letThrough: 5 * 8,
      raw: (url) => createServiceClient(PaymentService, createServiceTransport(url)).refund({ paymentId: "none" }),
    },
    "orders-service": {
      method: "checkoutsaga.orders.v1.OrdersService/ListOrders",
      body: { userId: NOBODY },
      letThrough: 0,
      raw: (url) => createServiceClient(OrdersService, createServiceTransport(url)).listOrders({ userId: NOBODY }),
    },
    "checkout-service": {
      method: "checkoutsaga.checkout.v1.CheckoutService/ListCheckouts",
      body: { userId: NOBODY },
      letThrough: 0,
      raw: (url) => createServiceClient(CheckoutService, createServiceTransport(url)).listCheckouts({ userId: NOBODY }),
    },
  };

const UNAUTHENTICATED_EXIT = 16 * 8;

async function run(file: string, args: string[], env: Record<string, string | undefined>) {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, { cwd: repoRoot, env, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw err;
    return { code: failed.code, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

/**
 * What the issue asks of a running production stack: every service port refuses a call without
 * a credential (a raw Connect client, and the real `buf curl`), and answers `buf curl` with the
 * flags `stack up` printed, or for a user's cart, those `npm run rpc-credentials` prints. The
 * first broken expectation throws an E2EFailure naming it.
 */
export async function checkStackCredentials(stack: {
  env: Record<string, string | undefined>;
  /** What `npm run stack -- up` printed. */
  upOutput: string;
  log?: (line: string) => void;
}): Promise<void> {
  const log = stack.log ?? console.log;
  const printed = credentialsInBanner(stack.upOutput);
  const services = SERVICES.filter((s) => s.name !== "gateway");
  const urlOf = (portVar: string, port: number) => `http://127.0.0.1:${stack.env[portVar] ?? port}`;
  const fail = (what: string): never => {
    throw new E2EFailure(`stack credentials: ${what}`);
  };

  const cli = await run(
    "npm",
    ["run", "-s", "rpc-credentials", "--", "--service", "cart", "--user", NOBODY, "--json"],
    stack.env,
  );
  if (cli.code !== 0) fail(`npm run rpc-credentials exited ${cli.code}: ${cli.stderr}`);
  const { expires_at: _, ...cartHeaders } = JSON.parse(cli.stdout) as Record<string, string>;

  for (const service of services) {
    const read = READS[service.name];
    if (!read) return fail(`no read to try on ${service.name}`);
    const { method, body, letThrough } = read;
    const url = `${urlOf(service.portVar, service.port)}/${method}`;
    const curl = (headers: Record<string, string>) =>
      run(
        BUF,
        [
          "curl",
          "--http2-prior-knowledge",
          ...Object.entries(headers).flatMap(([k, v]) => ["-H", `${k}: ${v}`]),
          "-d",
          JSON.stringify(body),
          url,
        ],
        stack.env,
      );
    const refusal = await read.raw(urlOf(service.portVar, service.port)).then(
      () => undefined,
      (err: unknown) => ConnectError.from(err),
    );
    if (refusal?.code !== Code.Unauthenticated || errorDetail(refusal)?.reason !== "SERVICE_CREDENTIAL_MISSING") {
      fail(
        `a raw Connect client without a credential got ${refusal ? Code[refusal.code] : "an answer"} from ${service.name}`,
      );
    }
    const bare = await curl({});
    if (bare.code !== UNAUTHENTICATED_EXIT)
      fail(`buf curl without flags to ${service.name} exited ${bare.code}: ${bare.stderr}`);
    const headers = service.name === "cart-service" ? cartHeaders : printed.get(service.name);
    if (!headers) fail(`stack up printed no flags for ${service.name}`);
    const answered = await curl(headers ?? {});
    if (answered.code !== letThrough) {
      fail(`buf curl with the flags to ${service.name} exited ${answered.code}: ${answered.stderr}`);
    }
    log(
      `✔ ${service.name}: a raw client and buf curl without flags unauthenticated; buf curl with ${service.name === "cart-service" ? "npm run rpc-credentials'" : "stack up's"} flags answered`,
    );
  }
}
