import type { CallOptions } from "@connectrpc/connect";
import type { Context } from "hono";

/** What middleware puts on a request's context for the routes. */
export interface GatewayVariables {
  requestId: string;
  /** The authenticated user (the token's `sub`); set by the auth middleware. */
  userId: string;
  /** Epoch ms by which the whole request must be answered. */
  deadline: number;
}

export type GatewayEnv = { Variables: GatewayVariables };

/** Header that carries the request id to the services. */
export const REQUEST_ID_HEADER = "x-request-id";

/**
 * Options for a downstream call made on behalf of this request: the request id travels as a
 * header, and the call gets what is left of the request's deadline.
 */
export function callOptions(c: Context<GatewayEnv>): CallOptions {
  const remaining = c.get("deadline") - Date.now();
  return {
    headers: { [REQUEST_ID_HEADER]: c.get("requestId") },
    timeoutMs: Math.max(1, remaining),
  };
}
