import type { E2EClient, Json } from "./e2e-client.js";
import { TEST_ADDRESS as ADDRESS } from "./test-address.js";

/** The Keyboard's JPY price: one is bought per checkout below. */
const KEYBOARD_JPY = 13_200;
const MOUSE_JPY = 4_480;
const DAY_MS = 86_400_000;

/**
 * Points, as issue #15's "Done when" walks them, on a user of its own: a ¥13,200 card order earns
 * 132; the next redeems 100, is charged ¥13,100 and earns 131 (163); a declined card that tried to
 * redeem 50 leaves 163 in the same lots with the same expiry; more than the balance is refused
 * before anything is reserved; cancelling the second order gives its 100 back and takes its 131;
 * konbini with 100 points issues a voucher for the rest, and paying it earns 1% of that.
 */
export async function runPointsScenario(client: E2EClient, runId: string): Promise<void> {
  const { call, expect, begin, poll, devToken, available, orderOf } = client;
  const token = await devToken(`e2e-points-${runId}`);
  const points = async (): Promise<Json> => {
    const r = await call("GET", "/points", { token });
    expect(r.status === 200, "200 from GET /points", r);
    return r.body;
  };
  const balanceReaches = (balance: number) =>
    poll(`a points balance of ${balance}`, async () => {
      const p = await points();
      return p.balance === balance ? p : undefined;
    });
  const buyKeyboard = async (key: string, extra: Json = {}) => {
    const added = await call("POST", "/cart/items", { token, body: { product_id: "3", quantity: 1 } });
    expect(added.status === 201, "201 adding a Keyboard", added);
    return call("POST", "/checkout", {
      token,
      body: { payment_method: { type: "card", token: "tok_visa" }, shipping_address: ADDRESS, ...extra },
      headers: { "Idempotency-Key": `e2e-${runId}-points-${key}` },
    });
  };

  begin("points: a ¥13,200 JPY card order earns 132 points, in a lot that expires in 365 days");
  const fresh = await points();
  expect(fresh.balance === 0 && fresh.lots.length === 0, "a new user with no points", fresh);
  const jpyCart = await call("PATCH", "/cart", { token, body: { currency: "JPY" } });
  expect(jpyCart.status === 200, "200 from PATCH /cart", jpyCart);
  const first = await buyKeyboard("earn");
  expect(first.status === 201 && first.body.total.amount_minor === KEYBOARD_JPY, "201 charging ¥13,200", first);
  const earned = await balanceReaches(132);
  const [lot] = earned.lots;
  expect(earned.lots.length === 1 && lot.points === 132, "one lot of 132 points", earned.lots);
  const lifetimeDays = (Date.parse(lot.expires_at) - Date.parse(lot.earned_at)) / DAY_MS;
  expect(lifetimeDays === 365, "a lot expiring 365 days after it was earned", lot);

  begin("points: the next checkout redeems 100, is charged ¥13,100 and earns 131 (balance 163)");
  const redeeming = await buyKeyboard("redeem", { points: 100 });
  expect(redeeming.status === 201, "201 Created", redeeming);
  const totals = redeeming.body.totals;
  expect(
    totals.points_redeemed?.amount_minor === 100 &&
      totals.points_redeemed.currency === "JPY" &&
      totals.total.amount_minor === KEYBOARD_JPY - 100 &&
      redeeming.body.total.amount_minor === KEYBOARD_JPY - 100,
    "totals with points_redeemed ¥100 and a total charged of ¥13,100",
    totals,
  );
  const afterRedeem = await balanceReaches(163);
  expect(
    afterRedeem.history.some((h: Json) => h.delta === -100 && h.checkout_id === redeeming.body.checkout_id),
    "a history entry of −100 for that checkout",
    afterRedeem.history,
  );

  begin("points: a declined card that tried to redeem 50 leaves 163 in the same lots with the same expiry");
  const keyboardsBefore = await available(token, "3");
  const declined = await buyKeyboard("declined", {
    points: 50,
    payment_method: { type: "card", token: "tok_chargeDeclined" },
  });
  expect(declined.status === 402, "402 Payment Required", declined);
  const afterDecline = await points();
  expect(afterDecline.balance === 163, "the balance still 163", afterDecline);
  expect(
    JSON.stringify(afterDecline.lots) === JSON.stringify(afterRedeem.lots),
    "the same lots, holding the same points, with the same expiry",
    { before: afterRedeem.lots, after: afterDecline.lots },
  );
  expect((await available(token, "3")) === keyboardsBefore, "the Keyboard back in stock");

  begin("points: redeeming more than the balance is refused with 422 before anything is reserved");
  const tooMany = await call("POST", "/checkout", {
    token,
    body: { payment_method: { type: "card", token: "tok_visa" }, shipping_address: ADDRESS, points: 164 },
    headers: { "Idempotency-Key": `e2e-${runId}-points-too-many` },
  });
  expect(tooMany.status === 422, "422", tooMany);
  expect(String(tooMany.body.type).endsWith("/points-insufficient"), "problem points-insufficient", tooMany.body);
  expect((await available(token, "3")) === keyboardsBefore, "nothing reserved");
  expect((await points()).balance === 163, "the balance still 163");

  begin("points: cancelling the redeeming order gives back its 100 points and takes back the 131 it earned");
  const order = await orderOf(token, redeeming.body.checkout_id);
  const cancelled = await call("POST", `/orders/${order.id}/cancel`, {
    token,
    body: {},
    headers: { "Idempotency-Key": `e2e-${runId}-points-cancel` },
  });
  expect(
    cancelled.status === 202 && cancelled.body.status === "COMPLETED",
    "202 with a COMPLETED cancellation",
    cancelled,
  );
  expect(cancelled.body.refund.amount_minor === KEYBOARD_JPY - 100, "¥13,100 refunded in money", cancelled.body.refund);
  expect(cancelled.body.points_returned === 100, "100 points returned", cancelled.body);
  await balanceReaches(132);

  begin("points: konbini with points: the voucher is for the rest, and paying it earns on the rest");
  // The Keyboard the refused checkout left in the cart goes: this one buys a Mouse alone.
  const removed = await call("DELETE", "/cart/items/3", { token });
  expect(removed.status === 200, "200 removing the Keyboard", removed);
  const mouse = await call("POST", "/cart/items", { token, body: { product_id: "2", quantity: 1 } });
  expect(mouse.status === 201, "201 adding a Mouse", mouse);
  const konbini = await call("POST", "/checkout", {
    token,
    body: { payment_method: { type: "konbini" }, shipping_address: ADDRESS, points: 100 },
    headers: { "Idempotency-Key": `e2e-${runId}-points-konbini` },
  });
  expect(konbini.status === 202, "202 Accepted", konbini);
  expect(
    konbini.body.totals.points_redeemed.amount_minor === 100 && konbini.body.total.amount_minor === MOUSE_JPY - 100,
    "a voucher for ¥4,380 after 100 points",
    konbini.body,
  );
  await balanceReaches(32);
  const paid = await call("POST", `/dev/payments/konbini/${konbini.body.next_action.konbini.confirmation_number}/pay`);
  expect(paid.status === 200, "200 paying at the till", paid);
  // floor(4,380 / 100) = 43 earned on what was paid in money.
  await balanceReaches(32 + 43);
}
