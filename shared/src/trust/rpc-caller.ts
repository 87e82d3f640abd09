import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import { DomainError } from "../errors.js";

/** Who is calling, as the trust interceptor established it before the handler runs. */
export interface RpcCaller {
  /**
   * The identity whose service credential the call carried (`gateway`, `checkout-service`,
   * `developer`, …); undefined when credentials are off and it carried none.
   */
  readonly identity: string | undefined;
  /**
   * The user the call acts for: the user assertion's, or the request's `user_id` where the call
   * policy trusts the caller to name one. "" when none: an admin asking about every user, or a
   * request the handler refuses for lacking one.
   */
  readonly userId: string;
  /**
   * The user of the verified user assertion, whoever the call acts for ("" without one): who
   * an admin's call is made by, for audit records.
   */
  readonly assertedUser: string;
  /** The asserted user's roles; none without an assertion. */
  readonly roles: readonly string[];
  /** Acts as an admin: the asserted user has the admin role, or, without an assertion, the caller is the developer identity (or unverified, credentials off). */
  readonly admin: boolean;
}

/** Where the trust interceptor leaves the caller for the handler (Connect context values). */
export const rpcCallerKey = createContextKey<RpcCaller | undefined>(undefined, {
  description: "the caller of an RPC, as its credentials and the service's call policy establish it",
});

/** The caller of the call being handled; a handler reached without the trust interceptor is a bug and fails. */
export function rpcCaller(ctx: HandlerContext): RpcCaller {
  const caller = ctx.values.get(rpcCallerKey);
  if (!caller) throw new DomainError("internal", "NO_CALLER", "the call reached its handler without a verified caller");
  return caller;
}

/** The user the call acts for (see `RpcCaller.userId`): what handlers use instead of the request's `user_id`. */
export const actingUser = (ctx: HandlerContext): string => rpcCaller(ctx).userId;

/**
 * Who makes a change, for audit records: the person the gateway asserted (`user:<id>`, an
 * admin), else the calling service's identity (`service:developer` from buf curl;
 * `service:unverified` when credentials are off and the call carried none).
 */
export function callActor(ctx: HandlerContext): string {
  const caller = rpcCaller(ctx);
  return caller.assertedUser !== "" ? `user:${caller.assertedUser}` : `service:${caller.identity ?? "unverified"}`;
}
