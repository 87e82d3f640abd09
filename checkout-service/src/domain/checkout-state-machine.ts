/** Where a checkout is in the saga. Persisted as these strings. */
export type CheckoutStatus =
  | "INITIATED"
  | "INVENTORY_RESERVED"
  | "PAYMENT_PENDING"
  | "PAYMENT_COMPLETED"
  | "COMPLETED"
  | "COMPENSATING"
  | "FAILED";

/**
 * The saga's transitions: every move a checkout may make. Before the charge succeeded any
 * state may turn to compensation; PAYMENT_COMPLETED is the pivot and only moves forward,
 * except when completing became impossible (see PIVOT_EXCEPTIONS).
 */
const transitions: Record<CheckoutStatus, readonly CheckoutStatus[]> = {
  INITIATED: ["INVENTORY_RESERVED", "COMPENSATING"],
  INVENTORY_RESERVED: ["PAYMENT_PENDING", "COMPENSATING"],
  PAYMENT_PENDING: ["PAYMENT_COMPLETED", "COMPENSATING"],
  PAYMENT_COMPLETED: ["COMPLETED", "COMPENSATING"],
  COMPENSATING: ["FAILED"],
  COMPLETED: [],
  FAILED: [],
};

/** Failure codes that may turn a paid checkout back (by refunding): completing became impossible. */
const PIVOT_EXCEPTIONS: ReadonlySet<string> = new Set(["RESERVATION_LOST"]);

export const CHECKOUT_STATUSES = Object.keys(transitions) as CheckoutStatus[];

export class IllegalTransitionError extends Error {
  override readonly name = "IllegalTransitionError";
  constructor(
    readonly from: CheckoutStatus,
    readonly to: CheckoutStatus,
  ) {
    super(`illegal checkout transition ${from} → ${to}`);
  }
}

/**
 * Throws unless the saga may move from `from` to `to`. `failureCode` is the reason a move
 * into COMPENSATING is made; after the pivot only a pivot exception allows it.
 */
export function assertTransition(from: CheckoutStatus, to: CheckoutStatus, failureCode?: string): void {
  if (!transitions[from].includes(to)) throw new IllegalTransitionError(from, to);
  if (from === "PAYMENT_COMPLETED" && to === "COMPENSATING" && !PIVOT_EXCEPTIONS.has(failureCode ?? "")) {
    throw new IllegalTransitionError(from, to);
  }
}

/** COMPLETED and FAILED are final: nothing moves a checkout out of them. */
export const isFinished = (status: CheckoutStatus): boolean => transitions[status].length === 0;

export const isCheckoutStatus = (value: string): value is CheckoutStatus => value in transitions;
