import { describe, expect, it } from "vitest";
import { DomainError } from "../errors.js";
import { decideCall, type MethodPolicy, type PresentedCall } from "./call-policy.js";

/** A method of each kind, as the services declare them. */
const POLICIES: Record<string, MethodPolicy> = {
  GetStock: { gateway: "service", "checkout-service": "service", developer: "service" },
  Charge: { "checkout-service": "service", developer: "service" },
  GetCart: { gateway: "user", "checkout-service": "named-user", developer: "user" },
  AddItem: { gateway: "user", developer: "user" },
  GetCheckout: { gateway: "user-or-admin", developer: "user-or-admin" },
  AdvanceCheckout: { gateway: "admin", developer: "admin" },
};

const alice = { userId: "alice", roles: [] };
const admin = { userId: "ops", roles: ["admin"] };

/** Who the call acts for (`user:<id>`, `admin:<id>` when as an admin), or the reason it is refused. */
function decide(method: string, call: Partial<PresentedCall>): string {
  try {
    const caller = decideCall(method, POLICIES[method], {
      identity: "identity" in call ? call.identity : "gateway",
      assertion: call.assertion,
      requestedUser: call.requestedUser ?? "",
    });
    return `${caller.admin ? "admin" : "user"}:${caller.userId}`;
  } catch (err) {
    if (err instanceof DomainError && err.kind === "permission_denied") return err.reason;
    throw err;
  }
}

describe("decideCall", () => {
  it("lets only the callers a method lists call it, whatever user they assert", () => {
    expect(decide("Charge", { identity: "checkout-service" })).toBe("user:");
    expect(decide("Charge", { identity: "gateway", assertion: admin })).toBe("CALLER_NOT_ALLOWED");
    expect(decide("Charge", { identity: "cart-service" })).toBe("CALLER_NOT_ALLOWED");
    expect(decide("NoSuchMethod", { identity: "developer" })).toBe("CALLER_NOT_ALLOWED");
    expect(decide("NoSuchMethod", { identity: undefined })).toBe("CALLER_NOT_ALLOWED");
  });

  it("user: acts for the asserted user, needs an assertion, refuses a request naming someone else", () => {
    expect(decide("GetCart", { assertion: alice })).toBe("user:alice");
    expect(decide("GetCart", { assertion: alice, requestedUser: "alice" })).toBe("user:alice");
    expect(decide("GetCart", { assertion: alice, requestedUser: "bob" })).toBe("USER_MISMATCH");
    expect(decide("GetCart", { requestedUser: "bob" })).toBe("USER_ASSERTION_REQUIRED");
    // The admin role does not make one user another's cart owner.
    expect(decide("GetCart", { assertion: admin, requestedUser: "bob" })).toBe("USER_MISMATCH");
    expect(decide("AddItem", { identity: "developer", requestedUser: "bob" })).toBe("USER_ASSERTION_REQUIRED");
  });

  it("named-user: a trusted service names the user; an assertion it sends still wins", () => {
    expect(decide("GetCart", { identity: "checkout-service", requestedUser: "bob" })).toBe("user:bob");
    expect(decide("GetCart", { identity: "checkout-service", assertion: alice, requestedUser: "bob" })).toBe(
      "USER_MISMATCH",
    );
    expect(decide("GetCart", { identity: "checkout-service", assertion: alice })).toBe("user:alice");
  });

  it("user-or-admin: a user sees their own; an admin (role, or the developer) names anyone or no one", () => {
    expect(decide("GetCheckout", { assertion: alice })).toBe("user:alice");
    expect(decide("GetCheckout", { assertion: alice, requestedUser: "bob" })).toBe("USER_MISMATCH");
    expect(decide("GetCheckout", {})).toBe("USER_ASSERTION_REQUIRED");
    expect(decide("GetCheckout", { assertion: admin, requestedUser: "bob" })).toBe("admin:bob");
    expect(decide("GetCheckout", { assertion: admin })).toBe("admin:");
    expect(decide("GetCheckout", { identity: "developer" })).toBe("admin:");
    // A developer asserting a plain user is that user, not an admin.
    expect(decide("GetCheckout", { identity: "developer", assertion: alice, requestedUser: "bob" })).toBe(
      "USER_MISMATCH",
    );
  });

  it("admin: only with the admin role, or as the developer without an assertion", () => {
    expect(decide("AdvanceCheckout", { assertion: alice })).toBe("ADMIN_ROLE_REQUIRED");
    expect(decide("AdvanceCheckout", {})).toBe("ADMIN_ROLE_REQUIRED");
    expect(decide("AdvanceCheckout", { assertion: admin })).toBe("admin:");
    expect(decide("AdvanceCheckout", { identity: "developer" })).toBe("admin:");
    expect(decide("AdvanceCheckout", { identity: "developer", assertion: alice })).toBe("ADMIN_ROLE_REQUIRED");
  });

  it("service: about no user; an assertion changes nothing", () => {
    expect(decide("GetStock", { assertion: alice, requestedUser: "bob" })).toBe("user:");
  });

  it("credentials off: a call without one is trusted as before, unless it asserts a user", () => {
    const unverified = { identity: undefined };
    expect(decide("Charge", unverified)).toBe("admin:");
    expect(decide("AddItem", { ...unverified, requestedUser: "bob" })).toBe("admin:bob");
    expect(decide("GetCheckout", { ...unverified, requestedUser: "bob" })).toBe("admin:bob");
    expect(decide("AdvanceCheckout", unverified)).toBe("admin:");
    expect(decide("AddItem", { ...unverified, assertion: alice, requestedUser: "bob" })).toBe("USER_MISMATCH");
    expect(decide("AddItem", { ...unverified, assertion: alice })).toBe("user:alice");
    expect(decide("AdvanceCheckout", { ...unverified, assertion: alice })).toBe("ADMIN_ROLE_REQUIRED");
  });
});
