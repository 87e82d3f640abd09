import {
  DomainError,
  failedPrecondition,
  type Logger,
  newLeaseOwner,
  newTimeOrderedId,
  notFound,
} from "@checkout-saga/shared";
import { buyableLines } from "../domain/buyable-lines.js";
import {
  type CheckoutRequest,
  checkPaymentTakesTotal,
  type InitiateCheckoutInput,
  parseCheckoutRequest,
  requestFingerprint,
} from "../domain/checkout-request.js";
import { redeemPointsFrom } from "../domain/points.js";
import { type PricedCart, priceCart } from "../domain/pricing.js";
import type { CheckoutSession } from "../saga/checkout-saga.js";
import { isRetryableFailure, isSettledOutcome } from "./checkout-outcome.js";
import { type CheckoutSaga, isFinished } from "./checkout-saga.js";
import type { CheckoutStore, IdempotencyRecord } from "./checkout-store.js";
import type { CartPort, CatalogPort, Clock } from "./ports.js";

/** InitiateCheckout's answer: a fresh outcome, or the stored first response of the same key. */
export type InitiateResult = { kind: "fresh"; session: CheckoutSession } | { kind: "replayed"; response: Uint8Array };

export interface CheckoutCommandsDeps {
  store: CheckoutStore;
  saga: CheckoutSaga;
  cart: CartPort;
  catalog: CatalogPort;
  clock: Clock;
  /** SAGA_STEP_MODE: whether checkouts may ask to be walked step by step. */
  stepModeEnabled: boolean;
  /** The InitiateCheckoutResponse bytes stored with an idempotency key. */
  encodeResponse(session: CheckoutSession): Uint8Array;
  logger: Logger;
}

/** A lease holder's name: unique per drive, so two drives in one process never share a lease. */

/**
 * Drives a checkout whose lease `owner` holds (given as its id, or as its creator just wrote
 * it), keeps a settled outcome with its idempotency key, and lets the lease go unless the final
 * transition already did. Shared by InitiateCheckout, AdvanceCheckout and recovery.
 */
export async function driveLeased(
  deps: Pick<CheckoutCommandsDeps, "store" | "saga" | "encodeResponse" | "logger">,
  checkout: string | CheckoutSession,
  owner: string,
  maxSteps: number,
): Promise<CheckoutSession> {
  const checkoutId = typeof checkout === "string" ? checkout : checkout.id;
  let finished = false;
  try {
    const session = await deps.saga.drive(checkout, owner, { maxSteps });
    finished = isFinished(session.status);
    // A finished checkout's answer was stored by its final transition, in the same transaction.
    if (isSettledOutcome(session) && !finished) {
      await deps.store.storeResponse(checkoutId, deps.encodeResponse(session));
    }
    return session;
  } finally {
    if (!finished) {
      await deps.store
        .releaseLease(checkoutId, owner)
        .catch((err) => deps.logger.warn({ err, checkoutId }, "could not release a lease; it will expire"));
    }
  }
}

export function createCheckoutCommands(deps: CheckoutCommandsDeps) {
  const { store } = deps;
  const stepsFor = (session: { stepMode: boolean }) => (session.stepMode ? 0 : Number.POSITIVE_INFINITY);

  /** The key was used before: replay its answer, refuse a different body, or resume what died mid-way. */
  async function resume(
    record: IdempotencyRecord,
    request: CheckoutRequest,
    fingerprint: string,
  ): Promise<InitiateResult> {
    if (record.fingerprint !== fingerprint) {
      throw failedPrecondition("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with a different request", {
        metadata: { checkout_id: record.checkoutId },
      });
    }
    if (record.response) {
      // A 503 asks the client to retry: the same key and body then start a fresh attempt.
      const failed = await store.load(record.checkoutId);
      if (failed && isRetryableFailure(failed)) return startAttempt(request, fingerprint, failed.id);
      return { kind: "replayed", response: record.response };
    }
    const owner = newLeaseOwner();
    if (!(await store.claimLease(record.checkoutId, owner))) throw inFlight(record.checkoutId);
    // The first call may have finished between our read and our claim: its answer wins.
    const again = await store.findIdempotencyKey(record.userId, record.key);
    if (again?.response) {
      await store.releaseLease(record.checkoutId, owner);
      return { kind: "replayed", response: again.response };
    }
    const session = await store.load(record.checkoutId);
    if (!session) throw new Error(`idempotency key points at missing checkout ${record.checkoutId}`);
    deps.logger.info({ checkoutId: session.id, status: session.status }, "resuming checkout for a repeated key");
    return { kind: "fresh", session: await driveLeased(deps, session, owner, stepsFor(session)) };
  }

  /** Nothing left to buy: 409 naming the checkouts still running on these lines, else an empty cart. */
  async function nothingToBuy(heldBy: string[]): Promise<DomainError> {
    const running: string[] = [];
    for (const checkoutId of heldBy) {
      const holder = await store.load(checkoutId);
      if (holder && !isFinished(holder.status)) running.push(checkoutId);
    }
    if (running.length === 0) return failedPrecondition("CART_EMPTY", "the cart is empty");
    return failedPrecondition("CHECKOUT_IN_PROGRESS", `checkout ${running.join(", ")} is buying these cart lines`, {
      metadata: { held_by: running.join(",") },
    });
  }

  /**
   * What the cart holds that no other checkout does, priced by the catalog, less the points
   * redeemed. Refused before anything is reserved: points the cart cannot take, a total the
   * payment method cannot take (konbini's currency and limits).
   */
  async function priceCheckout(request: CheckoutRequest): Promise<PricedCart> {
    const cart = await deps.cart.getCart(request.userId);
    // What other checkouts hold (running, or bought and not yet removed by the cart consumer) is not for sale.
    const { lines, heldBy } = buyableLines(cart.lines, cart.held);
    if (lines.length === 0) throw await nothingToBuy(heldBy);
    const priced = redeemPointsFrom(
      priceCart(
        lines,
        await deps.catalog.getProducts(
          lines.map((l) => l.productId),
          cart.currency,
        ),
        cart.currency,
      ),
      request.points,
    );
    checkPaymentTakesTotal(request.paymentMethod, priced.total);
    return priced;
  }

  /** A new attempt for a key whose checkout failed for a passing reason: priced afresh, created, driven. */
  async function startAttempt(request: CheckoutRequest, fingerprint: string, retryOf: string) {
    return createAndDrive(request, fingerprint, await priceCheckout(request), retryOf);
  }

  /**
   * Creates the checkout with its idempotency key and drives it; when the key turns out taken,
   * the checkout it points at answers instead (replayed, refused, or resumed).
   */
  async function createAndDrive(
    request: CheckoutRequest,
    fingerprint: string,
    priced: PricedCart,
    retryOf?: string,
  ): Promise<InitiateResult> {
    const id = newTimeOrderedId();
    const owner = newLeaseOwner();
    const created = await store.create(
      {
        id,
        userId: request.userId,
        items: priced.items,
        total: priced.total,
        totals: priced.totals,
        shippingAddress: request.shippingAddress,
        paymentMethod: request.paymentMethod,
        stepMode: request.stepMode,
        createdAt: deps.clock.now(),
      },
      { key: request.idempotencyKey, fingerprint },
      owner,
      { retryOf },
    );
    if (created === "conflict") {
      const winner = await store.findIdempotencyKey(request.userId, request.idempotencyKey);
      if (!winner) throw new Error("idempotency key conflicted but cannot be found");
      return resume(winner, request, fingerprint);
    }
    deps.logger.info({ checkoutId: id, userId: request.userId, total: priced.total, retryOf }, "checkout initiated");
    return { kind: "fresh", session: await driveLeased(deps, created, owner, stepsFor(request)) };
  }

  return {
    /** InitiateCheckout: validate, price the cart, create the checkout deduped by (user, key), drive it. */
    async initiate(input: InitiateCheckoutInput): Promise<InitiateResult> {
      const request = parseCheckoutRequest(input);
      if (request.stepMode && !deps.stepModeEnabled) {
        throw failedPrecondition("STEP_MODE_DISABLED", "step mode is off (start the service with SAGA_STEP_MODE=true)");
      }
      const fingerprint = requestFingerprint(request);
      // Most keys are new: price and create first, and read the key only when the create finds
      // it taken, or when nothing could be priced — a replay still answers when the cart is
      // empty by now, or the cart or catalog is down; a refusal (points, konbini) too, unless
      // the key answers first.
      let priced: PricedCart;
      try {
        priced = await priceCheckout(request);
      } catch (err) {
        const existing = await store.findIdempotencyKey(request.userId, request.idempotencyKey);
        if (existing) return resume(existing, request, fingerprint);
        throw err;
      }
      return createAndDrive(request, fingerprint, priced);
    },

    /** AdvanceCheckout: one step (one transition) of a step-mode checkout. */
    async advance(checkoutId: string): Promise<CheckoutSession> {
      const session = await store.load(checkoutId);
      if (!session) throw checkoutNotFound(checkoutId);
      if (!session.stepMode) {
        throw failedPrecondition("NOT_IN_STEP_MODE", "this checkout was not started in step mode", {
          metadata: { checkout_id: checkoutId },
        });
      }
      if (isFinished(session.status)) return session;
      const owner = newLeaseOwner();
      if (!(await store.claimLease(checkoutId, owner))) {
        throw new DomainError("aborted", "CHECKOUT_BUSY", "this checkout is being advanced by another call", {
          metadata: { checkout_id: checkoutId },
        });
      }
      return driveLeased(deps, session, owner, 1);
    },

    /**
     * An operator's "retry now": drives an unfinished checkout at once, as recovery would on its
     * next pass, instead of waiting for it (a compensation that needs attention rests between
     * passes). It ends where recovery's drive would: final, waiting, or flagged again.
     */
    async retry(checkoutId: string): Promise<CheckoutSession> {
      const session = await store.load(checkoutId);
      if (!session) throw checkoutNotFound(checkoutId);
      const metadata = { checkout_id: checkoutId, checkout_status: session.status };
      if (isFinished(session.status)) {
        throw failedPrecondition("CHECKOUT_FINISHED", `checkout ${checkoutId} is ${session.status}: nothing to retry`, {
          metadata,
        });
      }
      if (session.stepMode) {
        throw failedPrecondition("STEP_MODE", "this checkout is in step mode: AdvanceCheckout steps it", { metadata });
      }
      const owner = newLeaseOwner();
      if (!(await store.claimLease(checkoutId, owner))) {
        throw new DomainError("aborted", "CHECKOUT_BUSY", "another driver is moving this checkout right now", {
          metadata,
        });
      }
      return driveLeased(deps, session, owner, Number.POSITIVE_INFINITY);
    },
  };
}

export type CheckoutCommands = ReturnType<typeof createCheckoutCommands>;

export const checkoutNotFound = (checkoutId: string) =>
  notFound("CHECKOUT_NOT_FOUND", `checkout ${checkoutId} does not exist`, { metadata: { checkout_id: checkoutId } });

const inFlight = (checkoutId: string) =>
  new DomainError("aborted", "IDEMPOTENCY_KEY_IN_FLIGHT", "a request with this Idempotency-Key is still running", {
    metadata: { checkout_id: checkoutId },
  });
