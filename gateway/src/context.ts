import type { Logger } from "@checkout-saga/shared";
import type { CallOptions } from "@connectrpc/connect";
import type { Context } from "hono";

/** What middleware puts on a request's context for the routes. */
export interface GatewayVariables {
  requestId: string;
  /** The authenticated user (the token's `sub`); set by the auth middleware. */
  userId: string;
  /** Epoch ms by which the whole request must be answered (the route's deadline). */
  deadline: number;
  /** The gateway's logger with this request's `request_id` on every line. */
  log: Logger;
  /**
   * Where a field of the RPC request this route sent came from in the REST request, so a
   * service's refusal names what the client sent; set when the route builds the request.
   */
  restPlaceOf?: (rpcPath: string) => RestPlace | undefined;
}

/** A REST input: where it was sent and its dotted path (`shipping_address.phone`) or name. */
export interface RestPlace {
  in: "body" | "query" | "path" | "header";
  path: string;
}

export type GatewayEnv = { Variables: GatewayVariables };

/** Header that carries the request id to the services. */
export const REQUEST_ID_HEADER = "x-request-id";

/**
 * Options for a downstream call made on behalf of this request: the request id travels as a
 * header, the call gets what is left of the request's deadline, and it is cancelled when the
 * client goes away (the request's signal aborts when its connection closes).
 */
export function callOptions(c: Context<GatewayEnv>): CallOptions {
  const remaining = c.get("deadline") - Date.now();
  return {
    headers: { [REQUEST_ID_HEADER]: c.get("requestId") },
    timeoutMs: Math.max(1, remaining),
    signal: c.req.raw.signal,
  };
}
