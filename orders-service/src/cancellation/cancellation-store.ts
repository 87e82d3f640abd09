import type { CancellationRequest } from "../domain/cancellation.js";
import type { Cancellation, CancellationSagaStore } from "./cancellation-saga.js";

/** Who asked for a cancellation, with which key and request (its fingerprint). */
export interface CancellationKey {
  requestedBy: string;
  key: string;
  fingerprint: string;
}

/** A key seen before: the cancellation it started and, once answered, that first answer. */
export interface KeyedCancellation {
  cancellationId: string;
  fingerprint: string;
  response?: Uint8Array;
}

export interface CancellationStore extends CancellationSagaStore {
  /**
   * Checks the request against the order under its row lock (so cancellations of one order are
   * decided one at a time, each seeing the others) and creates the cancellation REQUESTED, its
   * lease held by `owner`. "conflict": the key was taken meanwhile. NOT_FOUND when the order is
   * missing or, with `userId`, another user's; the rules' refusals otherwise (domain/cancellation.ts).
   */
  create(
    input: { id: string; request: CancellationRequest; userId?: string; key: CancellationKey; at: Date },
    owner: string,
  ): Promise<Cancellation | "conflict">;
  findKey(requestedBy: string, key: string): Promise<KeyedCancellation | undefined>;
  /** Keeps the first answer with its key (unless one was kept before). */
  storeResponse(cancellationId: string, response: Uint8Array): Promise<void>;
  claimLease(cancellationId: string, owner: string): Promise<boolean>;
  releaseLease(cancellationId: string, owner: string): Promise<void>;
  /** Every user's cancellations for operators, newest first (history left out), after the page position. */
  list(query: {
    status?: string;
    needsAttention: boolean;
    userId?: string;
    limit: number;
    after?: { createdAt: Date; id: string };
  }): Promise<Cancellation[]>;
  /** Unfinished cancellations nobody drives: lease free or expired, untouched for `graceMs` (flagged ones for `attentionRetryMs`). */
  findRecoverable(options: { graceMs: number; attentionRetryMs: number; limit: number }): Promise<string[]>;
}
