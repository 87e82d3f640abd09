import { E2EFailure, e2eClient, type Json } from "./e2e-client.js";
import { runPointsScenario } from "./e2e-points-scenario.js";
import { TEST_ADDRESS as ADDRESS } from "./test-address.js";

export { E2EFailure };

/**
 * The longest konbini voucher the scenario waits out. A system started with
 * `E2E_SYSTEM_SETTINGS` gets the expiry step; one as users start it (vouchers last 3 days)
 * skips it, saying so.
 */
const MAX_WAITED_VOUCHER_MS = 20_000;

/**
 * What the e2e stages start their system with, so that an unpaid konbini voucher expires
 * within seconds: it lasts 5 s (long enough to pay the first one at once), and the provider's
 * sweeper, whose `payment.expired` webhook fails the checkout, looks every second.
 */
export const E2E_SYSTEM_SETTINGS = {
  KONBINI_EXPIRES_AFTER_SECONDS: "5",
  KONBINI_EXPIRY_SWEEP_INTERVAL_MS: "1000",
};

export interface E2EResult {
  /** The user the scenario bought and cancelled as. */
  userId: string;
  token: string;
  orderId: string;
}

export async function runE2EScenario(baseUrl: string, log: (line: string) => void = console.log): Promise<E2EResult> {
  const client = e2eClient(baseUrl, log);
  const { call, expect, begin, poll, devToken, available, orderOf } = client;
  const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  begin("get a dev token");
  const user = `e2e-${runId}`;
  const token = await devToken(user);

  begin("add a Laptop and two Mice to the cart");
  for (const [productId, quantity] of [
    ["1", 1],
    ["2", 2],
  ] as const) {
    const r = await call("POST", "/cart/items", { token, body: { product_id: productId, quantity } });
    expect(r.status === 201, `201 adding product ${productId}`, r);
  }

  begin("read the enriched cart");
  const cart = await call("GET", "/cart", { token });
  expect(cart.status === 200, "200", cart);
  const names = cart.body.items.map((i: Json) => `${i.name}×${i.quantity}`).sort();
  expect(JSON.stringify(names) === JSON.stringify(["Laptop×1", "Mouse×2"]), "Laptop×1 and Mouse×2", names);
  const mouse = cart.body.items.find((i: Json) => i.product_id === "2");
  expect(mouse.subtotal.amount_minor === 5998, "Mouse subtotal 5998", mouse.subtotal);
  expect(
    cart.body.total.amount_minor === 135997 && cart.body.total.currency === "USD",
    "total USD 135997 (1299.99 + 2 × 29.99)",
    cart.body.total,
  );

  begin("check out with an Idempotency-Key");
  const checkoutBody = { payment_method: { type: "card", token: "tok_visa" }, shipping_address: ADDRESS };
  const key = `e2e-${runId}-1`;
  const first = await call("POST", "/checkout", { token, body: checkoutBody, headers: { "Idempotency-Key": key } });
  expect(first.status === 201, "201 Created", first);
  expect(first.body.status === "COMPLETED", "status COMPLETED", first.body);
  expect(first.body.total.amount_minor === 135997, "the checkout total 135997", first.body.total);
  expect(
    first.body.totals?.total?.amount_minor === 135997 && first.body.totals.tax === null,
    "totals with the total 135997 and tax null (USD has no tax table)",
    first.body.totals,
  );
  const checkoutId: string = first.body.checkout_id;

  begin("wait until the order exists");
  const order = await orderOf(token, checkoutId);
  expect(order.status === "CONFIRMED", "a CONFIRMED order", order);
  expect(order.total.amount_minor === 135997, "order total 135997", order.total);
  const one = await call("GET", `/orders/${order.id}`, { token });
  expect(one.status === 200 && one.body.items.length === 2, "GET /orders/{id} with 2 lines", one);

  begin("the cart no longer holds the checked-out lines");
  await poll("the cart to be emptied by the CheckoutCompleted consumer", async () => {
    const r = await call("GET", "/cart", { token });
    return r.status === 200 && r.body.items.length === 0 ? true : undefined;
  });

  begin("the same key again replays the first response");
  const replay = await call("POST", "/checkout", { token, body: checkoutBody, headers: { "Idempotency-Key": key } });
  expect(replay.status === first.status, `the same status ${first.status}`, replay.status);
  expect(
    replay.headers.get("idempotent-replayed") === "true",
    "header Idempotent-Replayed: true",
    replay.headers.get("idempotent-replayed"),
  );
  expect(JSON.stringify(replay.body) === JSON.stringify(first.body), "the same body", replay.body);

  begin("cancel the Mice line: refund of that line, the units back in stock");
  const cancel = (orderId: string, body: Json, k: string, as = token) =>
    call("POST", `/orders/${orderId}/cancel`, { token: as, body, headers: { "Idempotency-Key": k } });
  const miceBefore = await available(token, "2");
  const partial = await cancel(order.id, { lines: [{ product_id: "2", quantity: 2 }] }, `e2e-${runId}-cancel-1`);
  expect(partial.status === 202 && partial.body.status === "COMPLETED", "202 with a COMPLETED cancellation", partial);
  expect(partial.body.refund.amount_minor === 5998, "a refund of 5998 (2 × 29.99)", partial.body.refund);
  expect((await available(token, "2")) === miceBefore + 2, `Mouse availability back at ${miceBefore + 2}`);
  const partly = (await call("GET", `/orders/${order.id}`, { token })).body;
  expect(
    partly.status === "CONFIRMED" && partly.cancellations.length === 1,
    "a CONFIRMED order showing its cancellation",
    partly,
  );

  begin("cancel the rest: the order is CANCELLED");
  const whole = await cancel(order.id, {}, `e2e-${runId}-cancel-2`);
  expect(whole.status === 202 && whole.body.refund.amount_minor === 129999, "202 refunding the Laptop", whole);
  const cancelled = (await call("GET", `/orders/${order.id}`, { token })).body;
  const statuses = cancelled.status_history.map((h: Json) => h.to);
  expect(statuses.join() === "CONFIRMED,CANCELLED", "history CONFIRMED → CANCELLED", cancelled);

  begin("a shipped order cannot be cancelled: 409 order-not-cancellable");
  const admin = await devToken(`e2e-ops-${runId}`, ["admin"]);
  expect((await call("POST", "/cart/items", { token, body: { product_id: "2", quantity: 1 } })).status === 201, "201");
  const second = await call("POST", "/checkout", {
    token,
    body: checkoutBody,
    headers: { "Idempotency-Key": `e2e-${runId}-ship` },
  });
  expect(second.status === 201, "201 for a second purchase", second);
  const shippable = await orderOf(token, second.body.checkout_id);
  const shipped = await call("POST", `/admin/orders/${shippable.id}/ship`, { token: admin, body: {} });
  expect(shipped.status === 200, "200 shipping it as an admin", shipped);
  const refused = await cancel(shippable.id, {}, `e2e-${runId}-cancel-3`);
  expect(refused.status === 409, "409 cancelling a SHIPPED order", refused);
  expect(String(refused.body.type).endsWith("/order-not-cancellable"), "problem order-not-cancellable", refused.body);

  begin("a declined card gets 402 and the stock comes back");
  const before = await available(token, "3");
  const add = await call("POST", "/cart/items", { token, body: { product_id: "3", quantity: 1 } });
  expect(add.status === 201, "201 adding a Keyboard", add);
  const declined = await call("POST", "/checkout", {
    token,
    body: { ...checkoutBody, payment_method: { type: "card", token: "tok_chargeDeclined" } },
    headers: { "Idempotency-Key": `e2e-${runId}-2` },
  });
  expect(declined.status === 402, "402 Payment Required", declined);
  expect(
    String(declined.headers.get("content-type")).startsWith("application/problem+json"),
    "a problem+json body",
    declined.headers.get("content-type"),
  );
  expect(typeof declined.body.checkout_id === "string", "the problem names the checkout_id", declined.body);
  const after = await available(token, "3");
  expect(after === before, `Keyboard availability back at ${before}`, after);
  const failed = await call("GET", `/checkout/${declined.body.checkout_id}`, { token });
  expect(failed.status === 200 && failed.body.status === "FAILED", "the checkout FAILED", failed.body);
  const path = failed.body.history.map((h: Json) => h.to);
  expect(path.includes("COMPENSATING") && path.at(-1) === "FAILED", "history ending COMPENSATING → FAILED", path);

  begin("a JPY card purchase of a 10% and an 8% product shows the tax per rate");
  const jpyToken = await devToken(`e2e-jpy-${runId}`);
  const patched = await call("PATCH", "/cart", { token: jpyToken, body: { currency: "JPY" } });
  expect(patched.status === 200 && patched.body.currency === "JPY", "200 and a JPY cart from PATCH /cart", patched);
  for (const [productId, quantity] of [
    ["2", 1],
    ["6", 2],
  ] as const) {
    const r = await call("POST", "/cart/items", { token: jpyToken, body: { product_id: productId, quantity } });
    expect(r.status === 201, `201 adding product ${productId}`, r);
  }
  const jpyCart = await call("GET", "/cart", { token: jpyToken });
  expect(
    jpyCart.body.total?.currency === "JPY" && jpyCart.body.total.amount_minor === 4480 + 2 * 1620,
    "cart total ¥7,720 (Mouse ¥4,480 + 2 × Matcha ¥1,620)",
    jpyCart.body.total,
  );
  const jpy = await call("POST", "/checkout", {
    token: jpyToken,
    body: checkoutBody,
    headers: { "Idempotency-Key": `e2e-${runId}-jpy` },
  });
  expect(jpy.status === 201, "201 Created", jpy);
  // floor(4480 × 10 / 110) = 407; floor(3240 × 8 / 108) = 240: once per rate, rounded down.
  const expectedTax = [
    { rate: "10%", taxable: { currency: "JPY", amount_minor: 4480 }, tax: { currency: "JPY", amount_minor: 407 } },
    { rate: "8%", taxable: { currency: "JPY", amount_minor: 3240 }, tax: { currency: "JPY", amount_minor: 240 } },
  ];
  const taxMatches = (totals: Json) =>
    totals?.total?.currency === "JPY" &&
    totals.total.amount_minor === 7720 &&
    totals.tax?.included === true &&
    JSON.stringify(totals.tax.lines) === JSON.stringify(expectedTax);
  expect(taxMatches(jpy.body.totals), `totals ¥7,720 with tax lines ${JSON.stringify(expectedTax)}`, jpy.body.totals);
  const jpyOrder = await orderOf(jpyToken, jpy.body.checkout_id);
  const jpyOrderFull = await call("GET", `/orders/${jpyOrder.id}`, { token: jpyToken });
  expect(taxMatches(jpyOrderFull.body.totals), "the order's totals as the checkout's", jpyOrderFull.body.totals);

  begin("a JPY konbini checkout answers 202 with the voucher; the same key replays it");
  const konbiniToken = await devToken(`e2e-konbini-${runId}`);
  const konbiniCart = await call("PATCH", "/cart", { token: konbiniToken, body: { currency: "JPY" } });
  expect(konbiniCart.status === 200, "200 from PATCH /cart", konbiniCart);
  const mouseLine = await call("POST", "/cart/items", { token: konbiniToken, body: { product_id: "2", quantity: 1 } });
  expect(mouseLine.status === 201, "201 adding a Mouse", mouseLine);
  const konbiniBody = { payment_method: { type: "konbini", store: "lawson" }, shipping_address: ADDRESS };
  const konbiniKey = `e2e-${runId}-konbini`;
  const pending = await call("POST", "/checkout", {
    token: konbiniToken,
    body: konbiniBody,
    headers: { "Idempotency-Key": konbiniKey },
  });
  expect(pending.status === 202, "202 Accepted", pending);
  expect(pending.body.status === "PAYMENT_PENDING", "status PAYMENT_PENDING", pending.body);
  const voucher = pending.body.next_action?.konbini;
  expect(
    pending.body.next_action?.type === "konbini_display_details" && /^\d{11}$/.test(voucher?.confirmation_number),
    "next_action konbini_display_details with an 11-digit confirmation number",
    pending.body.next_action,
  );
  // How long this system's vouchers last (KONBINI_EXPIRES_AFTER_SECONDS): decides the expiry step below.
  const voucherLifetimeMs = Date.parse(voucher.expires_at) - Date.now();
  expect(voucherLifetimeMs > 0, "an expires_at in the future", voucher.expires_at);
  const pendingReplay = await call("POST", "/checkout", {
    token: konbiniToken,
    body: konbiniBody,
    headers: { "Idempotency-Key": konbiniKey },
  });
  expect(
    pendingReplay.status === 202 && pendingReplay.headers.get("idempotent-replayed") === "true",
    "202 again with Idempotent-Replayed: true",
    pendingReplay,
  );
  expect(JSON.stringify(pendingReplay.body) === JSON.stringify(pending.body), "the same body", pendingReplay.body);

  begin("paying at the till (dev route) completes it: the webhook moves the saga, the order has its tax lines");
  const paidAt = Date.now();
  const paid = await call("POST", `/dev/payments/konbini/${voucher.confirmation_number}/pay`);
  expect(paid.status === 200 && paid.body.status === "SUCCEEDED", "200 with a SUCCEEDED payment", paid);
  const konbiniCheckout = await poll("the konbini checkout to complete", async () => {
    const r = await call("GET", `/checkout/${pending.body.checkout_id}`, { token: konbiniToken });
    return r.body.status === "COMPLETED" ? r.body : undefined;
  });
  log(`  COMPLETED ${Date.now() - paidAt} ms after paying`);
  const mouseTax = [
    // floor(4480 × 10 / 110) = 407
    { rate: "10%", taxable: { currency: "JPY", amount_minor: 4480 }, tax: { currency: "JPY", amount_minor: 407 } },
  ];
  expect(
    JSON.stringify(konbiniCheckout.totals?.tax?.lines) === JSON.stringify(mouseTax),
    `the checkout's tax lines ${JSON.stringify(mouseTax)}`,
    konbiniCheckout.totals,
  );
  const konbiniOrder = await orderOf(konbiniToken, pending.body.checkout_id);
  const konbiniOrderFull = await call("GET", `/orders/${konbiniOrder.id}`, { token: konbiniToken });
  expect(
    konbiniOrderFull.status === 200 &&
      JSON.stringify(konbiniOrderFull.body.totals) === JSON.stringify(konbiniCheckout.totals),
    "the order's totals as the checkout's",
    konbiniOrderFull.body,
  );

  begin("a konbini voucher left unpaid expires: FAILED with PAYMENT_EXPIRED and the stock back");
  if (voucherLifetimeMs > MAX_WAITED_VOUCHER_MS) {
    // A system as users start it: its vouchers last days, and this scenario waits for no such thing.
    log(
      `  ↷ skipped: this system's konbini vouchers last ${Math.round(voucherLifetimeMs / 1000)} s; ` +
        "start it with KONBINI_EXPIRES_AFTER_SECONDS=5 to watch one expire",
    );
  } else {
    const keyboardBefore = await available(konbiniToken, "3");
    const keyboardLine = await call("POST", "/cart/items", {
      token: konbiniToken,
      body: { product_id: "3", quantity: 1 },
    });
    expect(keyboardLine.status === 201, "201 adding a Keyboard", keyboardLine);
    const unpaid = await call("POST", "/checkout", {
      token: konbiniToken,
      body: konbiniBody,
      headers: { "Idempotency-Key": `${konbiniKey}-unpaid` },
    });
    expect(unpaid.status === 202, "202 Accepted", unpaid);
    expect(
      (await available(konbiniToken, "3")) === keyboardBefore - 1,
      `one Keyboard held while the voucher may be paid (available ${keyboardBefore - 1})`,
    );
    const expired = await poll(
      "the unpaid konbini checkout to fail",
      async () => {
        const r = await call("GET", `/checkout/${unpaid.body.checkout_id}`, { token: konbiniToken });
        return r.body.status === "FAILED" ? r.body : undefined;
      },
      voucherLifetimeMs + 30_000,
    );
    log(`  FAILED ${Date.now() - Date.parse(unpaid.body.next_action.konbini.expires_at)} ms after the voucher expired`);
    expect(expired.failure_reason === "PAYMENT_EXPIRED", "failure_reason PAYMENT_EXPIRED", expired);
    const keyboardAfter = await available(konbiniToken, "3");
    expect(keyboardAfter === keyboardBefore, `Keyboard availability back at ${keyboardBefore}`, keyboardAfter);
  }

  await runPointsScenario(client, runId);

  log("✔ end-to-end scenario passed");
  return { userId: user, token, orderId: order.id };
}
