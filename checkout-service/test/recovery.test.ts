import { randomUUID } from "node:crypto";
import { ReservationStatus } from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateCheckoutDatabase } from "../src/store/migrate-checkout-database.js";
import { createFakeWorld, startFakeDownstream } from "./fake-downstream.js";
import { ADDRESS, eventually, startCheckout } from "./support.js";

const world = createFakeWorld();
let downstream: Awaited<ReturnType<typeof startFakeDownstream>>;
let checkout: Awaited<ReturnType<typeof startCheckout>> | undefined;
let db: postgres.Sql;
let databaseUrl: string;

/** A checkout as a crashed instance left it: lease expired (or not), last touched a minute ago. */
async function leftBehind(status: string, options: { leaseExpired?: boolean; history: string[]; stepMode?: boolean }) {
  const id = randomUUID();
  const leaseOffsetMs = options.leaseExpired === false ? 3_600_000 : -60_000;
  await db.begin(async (tx) => {
    await tx`
      insert into checkout_sessions (id, user_id, status, currency, total_minor, items, shipping_address,
        payment_method_type, payment_token, reservation_id, step_mode, lease_owner, lease_expires_at,
        payment_deadline, created_at, updated_at)
      values (${id}, 'crash-user', ${status}, 'USD', 2999,
        ${tx.json([{ productId: "2", name: "Mouse", quantity: 1, unitPriceMinor: 2999 }])},
        ${tx.json({ ...ADDRESS, line2: "" })}, 'card', 'tok_visa',
        ${status === "INITIATED" ? null : `res-${id}`}, ${options.stepMode ?? false}, 'dead-instance',
        now() + ${leaseOffsetMs} * interval '1 millisecond', now() + interval '10 minutes',
        now() - interval '1 minute', now() - interval '1 minute')`;
    let seq = 0;
    let from: string | null = null;
    for (const to of options.history) {
      await tx`insert into checkout_transitions (checkout_id, seq, from_status, to_status, reason, at)
               values (${id}, ${++seq}, ${from}, ${to}, 'before the crash', now() - interval '1 minute')`;
      from = to;
    }
    await tx`insert into idempotency_keys (user_id, key, request_fingerprint, checkout_id)
             values ('crash-user', ${`key-${id}`}, 'fp', ${id})`;
  });
  if (status !== "INITIATED") {
    world.reservations.set(id, {
      id: `res-${id}`,
      items: [{ productId: "2", quantity: 1 }],
      status: ReservationStatus.HELD,
    });
  }
  return id;
}

const statusOf = async (id: string) => (await db`select status from checkout_sessions where id = ${id}`)[0]?.status;

beforeAll(async () => {
  databaseUrl = await createTestDatabase("checkout_recovery");
  await migrateCheckoutDatabase(databaseUrl);
  db = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  downstream = await startFakeDownstream(world);
});

afterAll(async () => {
  await checkout?.service.stop();
  await downstream?.server.close();
  await db?.end();
});

describe("recovery after a crash", () => {
  it("resumes, compensates or leaves alone what a dead instance left behind", async () => {
    const pending = await leftBehind("PAYMENT_PENDING", {
      history: ["INITIATED", "LINES_CLAIMED", "INVENTORY_RESERVED", "PAYMENT_PENDING"],
    });
    const compensating = await leftBehind("COMPENSATING", {
      history: ["INITIATED", "LINES_CLAIMED", "INVENTORY_RESERVED", "COMPENSATING"],
    });
    const stillLeased = await leftBehind("PAYMENT_PENDING", {
      leaseExpired: false,
      history: ["INITIATED", "LINES_CLAIMED", "INVENTORY_RESERVED", "PAYMENT_PENDING"],
    });
    const stepping = await leftBehind("INITIATED", { stepMode: true, history: ["INITIATED"] });

    checkout = await startCheckout({ databaseUrl, downstreamUrl: downstream.url });

    await eventually("the pending checkout to complete", async () =>
      (await statusOf(pending)) === "COMPLETED" ? true : undefined,
    );
    expect(world.callsOf("charge", pending)).toHaveLength(1); // the fake refuses any key but the checkout id
    expect(world.payments.get(pending)?.id).toBe(`pay-${pending}`);
    const [key] = await db`select response from idempotency_keys where checkout_id = ${pending}`;
    expect(key?.response).not.toBeNull();
    const events = await db`select event_type from outbox where aggregate_id = ${pending}`;
    expect(events.map((e) => e.event_type)).toEqual(["CheckoutCompleted"]);

    await eventually("the compensating checkout to fail", async () =>
      (await statusOf(compensating)) === "FAILED" ? true : undefined,
    );
    expect(world.callsOf("release", compensating)).toHaveLength(1);
    expect(world.callsOf("refund", compensating)).toHaveLength(0);

    expect(await statusOf(stillLeased)).toBe("PAYMENT_PENDING");
    expect(world.callsOf("charge", stillLeased)).toHaveLength(0);
    expect(await statusOf(stepping)).toBe("INITIATED");
  });
});
