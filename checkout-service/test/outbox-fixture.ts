import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { create } from "@bufbuild/protobuf";
import {
  buildEnvelope,
  CHECKOUT_EVENTS_TOPIC,
  checkoutTotals,
  encodeEnvelope,
  money,
  type Sql,
} from "@checkout-saga/shared";
import { CheckoutCompletedSchema } from "@checkout-saga/shared/gen/checkoutsaga/events/v1/events_pb";
import { runTypeScript } from "@checkout-saga/shared/testing";
import { checkoutEndedEvent } from "../src/saga/checkout-events.js";
import type { CheckoutSession } from "../src/saga/checkout-saga.js";
import type { CheckoutStore } from "../src/saga/checkout-store.js";

const ADDRESS = {
  name: "Ada Lovelace",
  phone: "+1 555 0100",
  postalCode: "94105",
  region: "CA",
  city: "San Francisco",
  line1: "1 Market St",
  line2: "",
  country: "US",
};

/**
 * A checkout that reaches COMPLETED through the real store, as the saga writes it: the session,
 * then the COMPLETED transition and its CheckoutCompleted outbox row in one transaction (which
 * rings the store's outbox signal).
 */
export async function completeCheckout(store: CheckoutStore, userId: string) {
  const owner = "test-driver";
  const items = [{ productId: "p-1", name: "Laptop", quantity: 1, unitPriceMinor: 129_999 }];
  const checkout = {
    id: randomUUID(),
    userId,
    total: { currency: "USD", amountMinor: 129_999 },
    totals: checkoutTotals([{ amount: money("USD", 129_999), taxClass: "standard" }], "USD"),
    items,
    shippingAddress: ADDRESS,
    paymentMethod: { type: "card" as const, token: "tok_visa" },
    stepMode: false,
    createdAt: new Date(),
  };
  const created = await store.create(checkout, { key: randomUUID(), fingerprint: "test" }, owner);
  if (created === "conflict") throw new Error("checkout not created");
  const now = new Date();
  const session: CheckoutSession = {
    ...checkout,
    status: "COMPLETED",
    reservationId: `res-${checkout.id}`,
    paymentId: `pay-${checkout.id}`,
    needsAttention: false,
    compensationAttempts: 0,
    createdAt: now,
    updatedAt: now,
    history: [],
  };
  const outbox = checkoutEndedEvent(session, now);
  const moved = await store.transition({
    id: checkout.id,
    owner,
    from: "INITIATED",
    to: "COMPLETED",
    reason: "test: completed",
    at: new Date(),
    patch: { reservationId: session.reservationId, paymentId: session.paymentId },
    outbox: { event: outbox },
  });
  if (!moved) throw new Error("checkout not completed");
  return { checkoutId: checkout.id, eventId: outbox.eventId };
}

/** An outbox row no consumer can handle: a CheckoutCompleted without a checkout id. */
export async function writePoisonEvent(sql: Sql, userId: string) {
  const aggregateId = randomUUID();
  const envelope = buildEnvelope({
    eventId: randomUUID(),
    aggregateId: "",
    occurredAt: new Date(),
    payload: { case: "checkoutCompleted", value: create(CheckoutCompletedSchema, { userId }) },
  });
  await sql`
    insert into outbox (event_id, aggregate_id, event_type, topic, message_key, payload, headers)
    values (${envelope.eventId}, ${aggregateId}, ${envelope.type}, ${CHECKOUT_EVENTS_TOPIC}, ${userId},
            ${Buffer.from(encodeEnvelope(envelope))}, ${sql.json({ "event-id": envelope.eventId })})`;
  return { eventId: envelope.eventId };
}

const CLI = fileURLToPath(new URL("../src/outbox/cli/main.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Runs the outbox CLI as `npm run outbox --` does (a tsx process), with exactly `env` plus PATH. */
export const runOutboxCli = (args: string[], env: Record<string, string>) =>
  runTypeScript(CLI, args, { cwd: ROOT, env });
