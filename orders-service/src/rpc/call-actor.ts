import { type RpcCaller, rpcCaller } from "@checkout-saga/shared";
import type { HandlerContext } from "@connectrpc/connect";

/**
 * Who makes a change, for the status history: the person the gateway asserted (an admin), else
 * the calling service's identity (`developer` from buf curl; `unverified` when credentials are
 * off and the call carried none).
 */
export function callActor(ctx: HandlerContext): string {
  const caller: RpcCaller = rpcCaller(ctx);
  return caller.assertedUser !== "" ? `user:${caller.assertedUser}` : `service:${caller.identity ?? "unverified"}`;
}
