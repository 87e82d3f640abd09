import { DomainError, failedPrecondition, type Logger, newLeaseOwner, newTimeOrderedId } from "@checkout-saga/shared";
import { type CancellationRequest, normalizeRequest, requestFingerprint } from "../domain/cancellation.js";
import { cancellationNotFound } from "../domain/not-found.js";
import { type Cancellation, type CancellationSaga, isFinished } from "./cancellation-saga.js";
import type { CancellationStore, KeyedCancellation } from "./cancellation-store.js";

/** CancelOrder's answer: the cancellation as this call left it, or the stored first answer of the same key. */
export type CancelResult = { kind: "fresh"; cancellation: Cancellation } | { kind: "replayed"; response: Uint8Array };

export interface CancellationCommandsDeps {
  store: CancellationStore;
  saga: CancellationSaga;
  clock: { now(): Date };
  /** The CancelOrderResponse bytes an idempotency key replays. */
  encodeResponse(cancellation: Cancellation): Uint8Array;
  logger: Logger;
}

/**
 * Drives a cancellation whose lease `owner` holds, then lets the lease go (a no-op when the
 * final transition already did; needed when the repeat of a key finds it finished). Shared by
 * CancelOrder and recovery.
 */
export async function driveLeased(
  deps: Pick<CancellationCommandsDeps, "store" | "saga" | "logger">,
  cancellation: string | Cancellation,
  owner: string,
): Promise<Cancellation> {
  const id = typeof cancellation === "string" ? cancellation : cancellation.id;
  try {
    return await deps.saga.drive(cancellation, owner);
  } finally {
    await deps.store
      .releaseLease(id, owner)
      .catch((err) => deps.logger.warn({ err, cancellationId: id }, "could not release a lease; it will expire"));
  }
}

export interface CancelOrderInput {
  request: CancellationRequest;
  /** The owner the order must have; undefined for an admin's call (any order). */
  userId?: string;
  /** Who asks (`user:<id>`, `service:<name>`): the history's actor and the key's scope. */
  requestedBy: string;
  idempotencyKey: string;
}

export function createCancellationCommands(deps: CancellationCommandsDeps) {
  const { store } = deps;

  /** The cancellation with its history; NOT_FOUND for an unknown id. */
  async function find(cancellationId: string): Promise<Cancellation> {
    const current = await store.load(cancellationId);
    if (!current) {
      throw cancellationNotFound(cancellationId);
    }
    return current;
  }

  /** Drives it, then keeps this first answer with its key. */
  async function answer(cancellation: Cancellation, owner: string): Promise<CancelResult> {
    const driven = await driveLeased(deps, cancellation, owner);
    await store.storeResponse(driven.id, deps.encodeResponse(driven));
    return { kind: "fresh", cancellation: driven };
  }

  /** The key was used before: replay its answer, refuse another request, or finish what died before answering. */
  async function resume(keyed: KeyedCancellation, fingerprint: string): Promise<CancelResult> {
    if (keyed.fingerprint !== fingerprint) {
      throw failedPrecondition("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with a different request", {
        metadata: { cancellation_id: keyed.cancellationId },
      });
    }
    if (keyed.response) return { kind: "replayed", response: keyed.response };
    const owner = newLeaseOwner();
    if (!(await store.claimLease(keyed.cancellationId, owner))) {
      // A finished cancellation holds no lease; one still leased is being driven by its first call.
      const current = await store.load(keyed.cancellationId);
      if (!current || !isFinished(current.status)) throw inFlight(keyed.cancellationId);
      await store.storeResponse(current.id, deps.encodeResponse(current));
      return { kind: "fresh", cancellation: current };
    }
    const cancellation = await store.load(keyed.cancellationId);
    if (!cancellation) throw new Error(`idempotency key points at missing cancellation ${keyed.cancellationId}`);
    deps.logger.info({ cancellationId: cancellation.id, status: cancellation.status }, "resuming a cancellation");
    return answer(cancellation, owner);
  }

  return {
    /** CancelOrder: a repeated key answers as before; a new one is checked, created and driven. */
    async cancel(input: CancelOrderInput): Promise<CancelResult> {
      const request = normalizeRequest(input.request);
      const fingerprint = requestFingerprint(request);
      const known = await store.findKey(input.requestedBy, input.idempotencyKey);
      if (known) return resume(known, fingerprint);
      const owner = newLeaseOwner();
      const created = await store.create(
        {
          id: newTimeOrderedId(),
          request,
          userId: input.userId,
          key: { requestedBy: input.requestedBy, key: input.idempotencyKey, fingerprint },
          at: deps.clock.now(),
        },
        owner,
      );
      if (created === "conflict") {
        const winner = await store.findKey(input.requestedBy, input.idempotencyKey);
        if (!winner) throw new Error("idempotency key conflicted but cannot be found");
        return resume(winner, fingerprint);
      }
      deps.logger.info(
        { cancellationId: created.id, orderId: created.orderId, refund: created.refund, by: input.requestedBy },
        "cancellation requested",
      );
      return answer(created, owner);
    },

    /** One cancellation with its transitions, for operators (GetCancellation). */
    get: (cancellationId: string) => find(cancellationId),

    /** Operators' listing of every user's cancellations (ListCancellations). */
    list: (query: Parameters<CancellationStore["list"]>[0]) => store.list(query),

    /**
     * An operator's "retry now": drives an unfinished cancellation at once, as recovery would on
     * its next pass (a step that needs attention rests between passes), instead of waiting.
     */
    async retry(cancellationId: string): Promise<Cancellation> {
      const current = await find(cancellationId);
      const metadata = { cancellation_id: cancellationId, cancellation_status: current.status };
      if (isFinished(current.status)) {
        throw failedPrecondition(
          "CANCELLATION_FINISHED",
          `cancellation ${cancellationId} is ${current.status}: nothing to retry`,
          { metadata },
        );
      }
      const owner = newLeaseOwner();
      if (!(await store.claimLease(cancellationId, owner))) {
        throw new DomainError("aborted", "CANCELLATION_BUSY", "another driver is moving this cancellation right now", {
          metadata,
        });
      }
      return driveLeased(deps, cancellationId, owner);
    },
  };
}

export type CancellationCommands = ReturnType<typeof createCancellationCommands>;

const inFlight = (cancellationId: string) =>
  new DomainError("aborted", "IDEMPOTENCY_KEY_IN_FLIGHT", "a request with this Idempotency-Key is still running", {
    metadata: { cancellation_id: cancellationId },
  });
