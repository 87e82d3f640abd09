import { done } from "@checkout-saga/shared";
import type { CancellationStep } from "../cancellation-step.js";

/**
 * STOCK_RETURNED → COMPLETED: record the cancellation on the order. The step itself only
 * decides; the saga's final transition writes, in its one transaction, the lines' cancelled
 * units, the order's move to CANCELLED (with its history row) once every unit is, and the
 * OrderCancelled (and OrderStatusChanged) events (postgres-cancellation-store.ts).
 */
export const recordCancellation: CancellationStep = {
  name: "record cancellation",
  local: true,
  action: () => done("cancellation recorded on the order"),
};
