import type { DescService } from "@bufbuild/protobuf";
import { DomainError } from "../errors.js";
import { DEVELOPER, type Identity } from "./identities.js";
import type { RpcCaller } from "./rpc-caller.js";
import { ADMIN_ROLE, USER_ASSERTION_HEADER, type UserAssertion } from "./user-assertion.js";

/**
 * How a caller may call a method, and for whom:
 * - `service`: not about a user (a catalog read, a reservation); any user assertion is ignored.
 * - `user`: for the user of the gateway-signed user assertion, which is required; a `user_id`
 *   in the request naming anyone else is refused (PERMISSION_DENIED), not silently replaced.
 * - `named-user`: for the user the request's `user_id` names — a service acting for the user of
 *   its own record (the checkout saga for its session's user, also after a restart, when no
 *   assertion exists). An assertion, when sent, still wins.
 * - `user-or-admin`: as `user`; an admin may name any user, or none (every user).
 * - `admin`: only an admin (the admin role in the assertion; the developer identity without
 *   one), who may name any user or none.
 */
export type Acting = "service" | "user" | "named-user" | "user-or-admin" | "admin";

/** Who may call one method (a caller not listed may not), and how each one acts. */
export type MethodPolicy = Readonly<Partial<Record<Identity, Acting>>>;

/** A service's call policy: one entry per RPC, declared beside its handlers. */
export interface CallPolicy {
  readonly service: DescService;
  /** By the method's local name (`getCart`); undefined for a method without a policy, which nobody may call. */
  method(localName: string): MethodPolicy | undefined;
}

/** A call policy naming every method of `service`: a new RPC without one does not compile. */
export function defineCallPolicy<S extends DescService>(
  service: S,
  methods: { readonly [M in keyof S["method"]]: MethodPolicy },
): CallPolicy {
  const byName = new Map<string, MethodPolicy>(Object.entries(methods));
  return { service, method: (localName) => byName.get(localName) };
}

/** What a call presented, once its credentials were checked. */
export interface PresentedCall {
  /** The identity of its service credential; undefined when it carried none (credentials off). */
  identity: string | undefined;
  /** Its verified user assertion, if it carried one. */
  assertion: UserAssertion | undefined;
  /** The request's `user_id` ("" when unset, or when the request has none). */
  requestedUser: string;
}

const denied = (reason: string, message: string) => new DomainError("permission_denied", reason, message);

/**
 * Who a call is from and for, by `policy` (PERMISSION_DENIED DomainErrors otherwise). A call
 * without a credential (credentials off) is trusted as an internal caller: it may call any
 * method and name the user, as before credentials existed; a user assertion it carries still
 * decides the user and the admin role.
 */
export function decideCall(method: string, policy: MethodPolicy | undefined, call: PresentedCall): RpcCaller {
  const { identity, assertion, requestedUser } = call;
  const acting = identity === undefined ? unverifiedActing(policy) : policy?.[identity as Identity];
  if (!acting) throw denied("CALLER_NOT_ALLOWED", `${identity ?? "this caller"} may not call ${method}`);
  const admin = assertion ? assertion.roles.includes(ADMIN_ROLE) : identity === undefined || identity === DEVELOPER;
  const caller = (userId: string): RpcCaller => ({
    identity,
    userId,
    assertedUser: assertion?.userId ?? "",
    roles: assertion?.roles ?? [],
    admin,
  });
  switch (acting) {
    case "service":
      return caller("");
    case "admin":
      if (!admin) throw denied("ADMIN_ROLE_REQUIRED", `${method} needs the ${ADMIN_ROLE} role`);
      return caller(requestedUser);
    case "user-or-admin":
      if (admin) return caller(requestedUser);
      break;
    case "named-user":
      if (assertion) break;
      // With no assertion the field is all that names the user (its rule lets it be empty for
      // callers who send one).
      if (requestedUser === "") {
        throw new DomainError("invalid_argument", "INVALID_ARGUMENT", `${method} needs user_id or a user assertion`, {
          metadata: { field: "user_id" },
        });
      }
      return caller(requestedUser);
    case "user":
      break;
  }
  if (!assertion) {
    throw denied(
      "USER_ASSERTION_REQUIRED",
      `${method} acts for a user: ${identity} must send that user's assertion (${USER_ASSERTION_HEADER}), signed by the gateway`,
    );
  }
  if (requestedUser !== "" && requestedUser !== assertion.userId) {
    throw denied("USER_MISMATCH", `the request names user ${requestedUser}, the user assertion ${assertion.userId}`);
  }
  return caller(assertion.userId);
}

/**
 * What an unverified internal caller may do: anything, naming the user as the request does
 * (its `admin` stands in for "trusted"); admin-only methods stay admin-only, so an assertion
 * without the role is still refused there.
 */
function unverifiedActing(policy: MethodPolicy | undefined): Acting | undefined {
  const rules = Object.values(policy ?? {});
  if (rules.length === 0) return undefined;
  if (rules.every((r) => r === "service")) return "service";
  if (rules.every((r) => r === "admin")) return "admin";
  // Naming no user means "every user" only where an admin may do that; elsewhere a user is needed.
  if (rules.includes("user-or-admin") || rules.includes("admin")) return "user-or-admin";
  return "named-user";
}
