import { afterEach, describe, expect, it } from "vitest";
import { checkoutId, type InventoryHarness, startInventoryHarness } from "./inventory-harness.js";

describe("restarting the service", () => {
  const started: InventoryHarness[] = [];

  afterEach(async () => {
    await Promise.all(started.splice(0).map((h) => h.stop()));
  });

  it("keeps stock and reservations, seeding only an empty database", async () => {
    const first = await startInventoryHarness();
    started.push(first);
    const id = checkoutId();
    const { reservation } = await first.client.reserve({ checkoutId: id, items: [{ productId: "2", quantity: 5 }] });
    await first.stop();
    started.pop();

    // Two instances starting together on the same database must not trip over migration or seed.
    const [second, third] = await Promise.all([
      startInventoryHarness({ databaseUrl: first.databaseUrl }),
      startInventoryHarness({ databaseUrl: first.databaseUrl }),
    ]);
    started.push(second, third);
    expect(await second.stockOf("2")).toEqual({ available: 195, reserved: 5 });
    const again = await third.client.reserve({ checkoutId: id, items: [{ productId: "2", quantity: 5 }] });
    expect(again.reservation?.reservationId).toBe(reservation?.reservationId);
  });
});
