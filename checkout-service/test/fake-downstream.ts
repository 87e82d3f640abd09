import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import {
  DomainError,
  failedPrecondition,
  notFound,
  type RpcServer,
  startRpcServer,
  toMoneyProto,
} from "@checkout-saga/shared";
import { CartService } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import { LineQuantitySchema } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/common_pb";
import {
  InventoryService,
  ReservationSchema,
  ReservationStatus,
} from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import {
  PaymentSchema,
  PaymentService,
  PaymentStatus,
} from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import {
  PointsService,
  RedemptionSchema,
  RedemptionStatus,
} from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/points_pb";
import { ProductSchema, ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import { testLogger } from "@checkout-saga/shared/testing";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";

/**
 * Small in-memory stand-ins for Cart, Product, Inventory, Payment and Points, served by real RPC
 * servers, with a log of every saga call and switches to inject failures. (The real services
 * are built in parallel; these follow their protos.)
 */
export function createFakeWorld() {
  const world = {
    carts: new Map<string, Array<{ productId: string; quantity: number }>>(),
    /** A cart's currency, by user; USD when not set. */
    cartCurrencies: new Map<string, string>(),
    /** Claims on cart lines by checkout id; "released" ones refuse a later claim. */
    claims: new Map<
      string,
      { userId: string; lines: Array<{ productId: string; quantity: number }>; state: "held" | "released" }
    >(),
    products: new Map<string, { name: string; prices: Record<string, number> }>([
      ["1", { name: "Laptop", prices: { USD: 129999 } }],
      ["2", { name: "Mouse", prices: { USD: 2999 } }],
      ["3", { name: "Keyboard", prices: { USD: 8999, JPY: 13_200 } }],
    ]),
    stock: new Map([
      ["1", 1_000],
      ["2", 1_000],
      ["3", 1_000],
    ]),
    /** Points balances by user: a single lot each, enough for the saga's calls. */
    points: new Map<string, number>(),
    /** Redemptions by key (the checkout id), as the ledger keeps them. */
    redemptions: new Map<string, { userId: string; points: number; returned: number; status: RedemptionStatus }>(),
    reservations: new Map<
      string,
      { id: string; items: Array<{ productId: string; quantity: number }>; status: ReservationStatus }
    >(),
    payments: new Map<string, { id: string; checkoutId: string; status: PaymentStatus; amountMinor: bigint }>(),
    calls: [] as Array<{ method: string; checkoutId: string }>,
    faults: {
      /** Confirm fails with this reason (e.g. RESERVATION_EXPIRED). */
      confirmReason: undefined as string | undefined,
      releaseFails: false,
      /** Reserve answers Unavailable while this many calls are left to fail (a restarting inventory). */
      reserveUnavailableFor: 0,
      /** Charge answers Unavailable while this many calls are left to fail (a restarting payment service). */
      chargeUnavailableFor: 0,
      chargeDelayMs: 0,
      /** GetCart answers Unavailable (a cart service that is down). */
      cartUnavailable: false,
    },
    callsOf(method: string, checkoutId?: string) {
      return world.calls.filter(
        (c) => c.method === method && (checkoutId === undefined || c.checkoutId === checkoutId),
      );
    },
  };
  return world;
}

export type FakeWorld = ReturnType<typeof createFakeWorld>;

function reservationMessage(checkoutId: string, r: NonNullable<ReturnType<FakeWorld["reservations"]["get"]>>) {
  return create(ReservationSchema, {
    reservationId: r.id,
    checkoutId,
    status: r.status,
    items: r.items.map((i) => create(LineQuantitySchema, i)),
  });
}

function routes(world: FakeWorld) {
  return (router: ConnectRouter) => {
    router.service(CartService, {
      async getCart(req) {
        if (world.faults.cartUnavailable) throw new ConnectError("cart service is down", Code.Unavailable);
        const items = (world.carts.get(req.userId) ?? []).map((i) => ({ ...i, addedAt: timestampNow() }));
        // Claims are recorded but never reported: as if the cart consumer settled each checkout at
        // once and the test refilled the cart, so one user can check out again and again.
        return { cart: { userId: req.userId, currency: world.cartCurrencies.get(req.userId) ?? "USD", items } };
      },
      // The real cart refuses what other checkouts hold (cart-service's tests, the double-purchase drills).
      async claimCartLines(req) {
        world.calls.push({ method: "claimCartLines", checkoutId: req.checkoutId });
        const existing = world.claims.get(req.checkoutId);
        if (existing?.state === "released") throw failedPrecondition("CART_CLAIM_RELEASED", "claim released");
        const lines = req.lines.map((l) => ({ productId: l.productId, quantity: l.quantity }));
        if (!existing) world.claims.set(req.checkoutId, { userId: req.userId, lines, state: "held" });
        return { claim: { checkoutId: req.checkoutId, lines } };
      },
      async releaseCartClaim(req) {
        world.calls.push({ method: "releaseCartClaim", checkoutId: req.checkoutId });
        const existing = world.claims.get(req.checkoutId);
        world.claims.set(req.checkoutId, { userId: req.userId, lines: existing?.lines ?? [], state: "released" });
        return {};
      },
    });
    router.service(ProductService, {
      async getProducts(req) {
        const known = req.ids.filter((id) => world.products.has(id));
        const currency = req.currency || "USD";
        return {
          products: known.map((id) => {
            const p = world.products.get(id)!;
            const amountMinor = p.prices[currency];
            return create(ProductSchema, {
              id,
              name: p.name,
              price: amountMinor === undefined ? undefined : toMoneyProto({ currency, amountMinor }),
            });
          }),
          missingIds: req.ids.filter((id) => !world.products.has(id)),
        };
      },
    });
    router.service(InventoryService, {
      async reserve(req) {
        world.calls.push({ method: "reserve", checkoutId: req.checkoutId });
        if (world.faults.reserveUnavailableFor > 0) {
          world.faults.reserveUnavailableFor--;
          throw new ConnectError("inventory is restarting", Code.Unavailable);
        }
        const existing = world.reservations.get(req.checkoutId);
        if (existing) return { reservation: reservationMessage(req.checkoutId, existing) };
        const short = req.items.filter((i) => (world.stock.get(i.productId) ?? 0) < i.quantity);
        if (short.length > 0) {
          throw failedPrecondition("OUT_OF_STOCK", "not enough stock", {
            lines: short.map((i) => ({
              productId: i.productId,
              requested: i.quantity,
              available: world.stock.get(i.productId) ?? 0,
            })),
          });
        }
        for (const i of req.items) world.stock.set(i.productId, (world.stock.get(i.productId) ?? 0) - i.quantity);
        const reservation = {
          id: `res-${req.checkoutId}`,
          items: req.items.map((i) => ({ productId: i.productId, quantity: i.quantity })),
          status: ReservationStatus.HELD,
        };
        world.reservations.set(req.checkoutId, reservation);
        return { reservation: reservationMessage(req.checkoutId, reservation) };
      },
      async confirm(req) {
        world.calls.push({ method: "confirm", checkoutId: req.checkoutId });
        if (world.faults.confirmReason) throw failedPrecondition(world.faults.confirmReason, "cannot confirm");
        const r = world.reservations.get(req.checkoutId);
        if (!r) throw notFound("RESERVATION_NOT_FOUND", "no reservation");
        r.status = ReservationStatus.CONFIRMED;
        return { reservation: reservationMessage(req.checkoutId, r) };
      },
      async release(req) {
        world.calls.push({ method: "release", checkoutId: req.checkoutId });
        if (world.faults.releaseFails) throw new DomainError("unavailable", "UNAVAILABLE", "inventory is down");
        const r = world.reservations.get(req.checkoutId);
        if (r && r.status === ReservationStatus.HELD) {
          r.status = ReservationStatus.RELEASED;
          for (const i of r.items) world.stock.set(i.productId, (world.stock.get(i.productId) ?? 0) + i.quantity);
        }
        return { reservation: r && reservationMessage(req.checkoutId, r) };
      },
    });
    router.service(PaymentService, {
      async charge(req) {
        world.calls.push({ method: "charge", checkoutId: req.checkoutId });
        if (req.idempotencyKey !== req.checkoutId) throw new Error("the saga must key charges by checkout id");
        if (world.faults.chargeUnavailableFor > 0) {
          world.faults.chargeUnavailableFor--;
          throw new ConnectError("payment is restarting", Code.Unavailable);
        }
        let payment = world.payments.get(req.idempotencyKey);
        if (!payment) {
          const declined = req.paymentMethod?.token === "tok_chargeDeclined";
          payment = {
            id: `pay-${req.checkoutId}`,
            checkoutId: req.checkoutId,
            status: declined ? PaymentStatus.DECLINED : PaymentStatus.SUCCEEDED,
            amountMinor: req.amount?.amountMinor ?? 0n,
          };
          world.payments.set(req.idempotencyKey, payment);
        }
        if (world.faults.chargeDelayMs > 0) await new Promise((r) => setTimeout(r, world.faults.chargeDelayMs));
        return { payment: paymentMessage(payment) };
      },
      async refund(req) {
        const payment = [...world.payments.values()].find((p) => p.id === req.paymentId);
        world.calls.push({ method: "refund", checkoutId: payment?.checkoutId ?? "" });
        if (!payment) throw notFound("PAYMENT_NOT_FOUND", "no payment");
        payment.status = PaymentStatus.REFUNDED;
        return { payment: paymentMessage(payment) };
      },
      async voidCharge(req) {
        world.calls.push({ method: "voidCharge", checkoutId: req.idempotencyKey });
        let payment = world.payments.get(req.idempotencyKey);
        if (!payment) {
          // As the real service: a tombstone, so a charge arriving later with the key charges nothing.
          // (The saga's key is the checkout id.)
          payment = {
            id: `void-${req.idempotencyKey}`,
            checkoutId: req.idempotencyKey,
            status: PaymentStatus.VOIDED,
            amountMinor: 0n,
          };
          world.payments.set(req.idempotencyKey, payment);
        } else if (payment.status === PaymentStatus.SUCCEEDED) {
          payment.status = PaymentStatus.REFUNDED;
        }
        return { payment: paymentMessage(payment) };
      },
    });
    router.service(PointsService, pointsService(world));
  };
}

/** The points ledger, as payment-service's PointsService answers (points.proto). */
function pointsService(world: FakeWorld) {
  const message = (key: string) => {
    const r = world.redemptions.get(key)!;
    return create(RedemptionSchema, {
      redemptionKey: key,
      userId: r.userId,
      checkoutId: key,
      points: BigInt(r.points),
      returned: BigInt(r.returned),
      status: r.status,
    });
  };
  return {
    async redeemPoints(req: { userId: string; redemptionKey: string; points: bigint }) {
      world.calls.push({ method: "redeemPoints", checkoutId: req.redemptionKey });
      if (!world.redemptions.has(req.redemptionKey)) {
        const balance = world.points.get(req.userId) ?? 0;
        const points = Number(req.points);
        if (points > balance) {
          throw failedPrecondition("POINTS_INSUFFICIENT", "not enough points", {
            metadata: { requested: String(points), balance: String(balance) },
          });
        }
        world.points.set(req.userId, balance - points);
        world.redemptions.set(req.redemptionKey, {
          userId: req.userId,
          points,
          returned: 0,
          status: RedemptionStatus.REDEEMED,
        });
      }
      return { redemption: message(req.redemptionKey) };
    },
    async returnPoints(req: { redemptionKey: string; points: bigint }) {
      world.calls.push({ method: "returnPoints", checkoutId: req.redemptionKey });
      if (req.points !== 0n) throw new Error("the saga returns all of a redemption");
      const r = world.redemptions.get(req.redemptionKey);
      if (!r) {
        // As the real ledger: a VOIDED redemption, so a redemption arriving later takes nothing.
        world.redemptions.set(req.redemptionKey, {
          userId: "",
          points: 0,
          returned: 0,
          status: RedemptionStatus.VOIDED,
        });
        return { redemption: message(req.redemptionKey), returnedNow: 0n };
      }
      const now = r.points - r.returned;
      world.points.set(r.userId, (world.points.get(r.userId) ?? 0) + now);
      r.returned = r.points;
      if (r.status === RedemptionStatus.REDEEMED) r.status = RedemptionStatus.RETURNED;
      return { redemption: message(req.redemptionKey), returnedNow: BigInt(now) };
    },
  };
}

function paymentMessage(p: { id: string; checkoutId: string; status: PaymentStatus; amountMinor: bigint }) {
  return create(PaymentSchema, {
    paymentId: p.id,
    idempotencyKey: p.checkoutId,
    checkoutId: p.checkoutId,
    status: p.status,
    amount: { currency: "USD", amountMinor: p.amountMinor },
    declineCode: p.status === PaymentStatus.DECLINED ? "card_declined" : "",
  });
}

/** One real RPC server on port 0 serving all four fakes; its URL stands in for each service. */
export async function startFakeDownstream(world: FakeWorld): Promise<{ url: string; server: RpcServer }> {
  const server = await startRpcServer({ port: 0, host: "127.0.0.1", routes: routes(world), logger: testLogger() });
  return { url: `http://127.0.0.1:${server.port}`, server };
}
