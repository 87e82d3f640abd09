import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ClaimState, type GetCartClaimRequest } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import { describe, expect, it } from "vitest";
import { as, devToken, type Json, problemOf, startTestGateway } from "./fixture.js";

/*
 * The operators' read of a checkout's claim on a cart, in front of a cart service that records
 * what it was asked: the admin guard, the path as the RPC request, and the claim's shape.
 */

const checkoutId = "9b9a3c1e-6f1f-4c0e-9d7e-2b7d8a1f5c42";

function gatewayRecording() {
  const asked: GetCartClaimRequest[] = [];
  const gateway = startTestGateway({
    services: (defaults) => ({
      cart: {
        ...defaults.cart,
        getCartClaim(req) {
          asked.push(req);
          if (req.checkoutId !== checkoutId) return { state: ClaimState.UNKNOWN };
          return {
            state: ClaimState.SETTLED,
            lines: [{ productId: "2", quantity: 1 }],
            changedAt: timestampFromDate(new Date("2026-01-01T00:00:01.500Z")),
          };
        },
      },
    }),
  });
  return { gateway, asked };
}

describe("GET /admin/carts/{user_id}/claims/{checkout_id}", () => {
  it("answers an admin whether the user's cart settled the checkout, and when", async () => {
    const { gateway, asked } = gatewayRecording();
    const admin = await devToken(gateway, "ops", ["admin"]);
    const res = await gateway.call("GET", `/admin/carts/bob/claims/${checkoutId}`, as(admin));
    expect(res.status).toBe(200);
    expect((await res.json()) as Json).toEqual({
      state: "SETTLED",
      lines: [{ product_id: "2", quantity: 1 }],
      changed_at: "2026-01-01T00:00:01.500Z",
    });
    expect(asked.map((r) => [r.userId, r.checkoutId])).toEqual([["bob", checkoutId]]);
  });

  it("answers UNKNOWN, not 404, for a checkout the cart has no record of", async () => {
    const { gateway } = gatewayRecording();
    const admin = await devToken(gateway, "ops", ["admin"]);
    const res = await gateway.call("GET", "/admin/carts/bob/claims/never-claimed", as(admin));
    expect(res.status).toBe(200);
    expect((await res.json()) as Json).toMatchObject({ state: "UNKNOWN", lines: [], changed_at: null });
  });

  it("refuses a customer (403), even for their own cart, and a malformed id (400), asking nothing", async () => {
    const { gateway, asked } = gatewayRecording();
    const customer = await devToken(gateway, "bob");
    const refused = await gateway.call("GET", `/admin/carts/bob/claims/${checkoutId}`, as(customer));
    expect(refused.status).toBe(403);
    expect((await problemOf(refused)).type).toMatch(/admin-role-required$/);

    const admin = await devToken(gateway, "ops", ["admin"]);
    const malformed = await gateway.call("GET", "/admin/carts/bob/claims/not%20an%20id", as(admin));
    expect(malformed.status).toBe(400);
    expect(asked).toEqual([]);
  });
});
