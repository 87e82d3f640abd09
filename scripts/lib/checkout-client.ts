import { sendJson } from "./send-json.js";

/**
 * A well-behaved REST client of the gateway, as the contract ("Checkout and Idempotency-Key")
 * asks a customer's app to be: a checkout is retried with the same Idempotency-Key and body
 * until it has a final answer, waiting what each refusal asks for. Drills run many of these
 * and judge the system by what they end up with.
 */

/** Replies are read field by field; their shape is what a drill checks. */
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

export interface Reply {
  /** 0 when no HTTP answer arrived (refused, reset, timed out). */
  status: number;
  /** The problem type's last segment (`step-failed`), when the answer is a problem. */
  problem?: string;
  retryAfterMs?: number;
  body: Json;
}

/** Why a request was sent again: a status with its problem type, or `network`. */
export type RetryReason = string;

/** How one request ended after its retries. */
export interface Outcome {
  /** Whether the last answer is final (a checkout: 201, 202, 402, 409 but in-flight, 422). */
  final: boolean;
  last: Reply;
  attempts: number;
  retries: Record<RetryReason, number>;
  ms: number;
}

export interface CheckoutClientOptions {
  /** The gateway's API root, e.g. http://127.0.0.1:8080/api/v1. */
  api: string;
  user: string;
  /** How long one checkout (or cart change) may take, retries included, before giving up. */
  deadlineMs?: number;
  /** Waits when an answer does not say how long: after a 503 without Retry-After, and after anything else retryable. */
  unavailableWaitMs?: number;
  retryWaitMs?: number;
}

export const CHECKOUT_FINAL_STATUSES = new Set([201, 202, 402, 409, 422]);

export interface CheckoutClient {
  readonly user: string;
  signIn(): Promise<void>;
  /** GET `route` (below the API root), retried while the answer is transient. */
  get(route: string): Promise<Outcome>;
  addToCart(productId: string, quantity: number): Promise<Outcome>;
  /** POST /checkout with `key`, sent again with the same key and body until a final answer or the deadline. */
  checkout(key: string, body: unknown): Promise<Outcome>;
}

export function createCheckoutClient(options: CheckoutClientOptions): CheckoutClient {
  const deadlineMs = options.deadlineMs ?? 90_000;
  const unavailableWaitMs = options.unavailableWaitMs ?? 1_000;
  const retryWaitMs = options.retryWaitMs ?? 500;
  let token = "";

  async function send(
    method: string,
    route: string,
    body: unknown,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<Reply> {
    // Status 0: connection refused or reset while a process restarts, or no answer in time.
    const answer = await sendJson(`${options.api}${route}`, { method, token, body, headers, timeoutMs });
    const type = typeof answer.body?.type === "string" ? (answer.body.type as string) : undefined;
    return {
      status: answer.status,
      problem: type?.slice(type.lastIndexOf("/") + 1),
      retryAfterMs: retryAfterMs(answer.headers.get("retry-after")),
      body: answer.body,
    };
  }

  /**
   * Sends the same request until `isFinal` says the answer is one (or "unexpected": stop, not
   * final), or the deadline passes; the last reply either way, with how it got there.
   */
  async function until(
    method: string,
    route: string,
    body: unknown,
    headers: Record<string, string>,
    isFinal: (r: Reply) => boolean | "unexpected",
  ): Promise<Outcome> {
    const started = Date.now();
    const deadline = started + deadlineMs;
    const retries: Record<RetryReason, number> = {};
    for (let attempts = 1; ; attempts++) {
      const last = await send(method, route, body, headers, Math.max(1_000, deadline - Date.now()));
      const verdict = isFinal(last);
      if (verdict !== false) return { final: verdict === true, last, attempts, retries, ms: Date.now() - started };
      const reason = last.status === 0 ? "network" : `${last.status}${last.problem ? ` ${last.problem}` : ""}`;
      retries[reason] = (retries[reason] ?? 0) + 1;
      const wait = last.status === 503 || last.status === 429 ? (last.retryAfterMs ?? unavailableWaitMs) : retryWaitMs;
      if (Date.now() + wait > deadline) return { final: false, last, attempts, retries, ms: Date.now() - started };
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** Anything a restart can cause is retried; another 4xx is an answer (and not one a drill expects). */
  const settledUnlessTransient = (expected: number[]) => (r: Reply) =>
    r.status === 0 || r.status >= 500 || r.status === 429 ? false : expected.includes(r.status) ? true : "unexpected";

  return {
    user: options.user,
    async signIn() {
      const r = await until("POST", "/dev/token", { user_id: options.user }, {}, settledUnlessTransient([200, 201]));
      if (!r.final) throw new Error(`no dev token for ${options.user}: ${JSON.stringify(r.last)}`);
      token = r.last.body.token;
    },
    get(route) {
      return until("GET", route, undefined, {}, settledUnlessTransient([200]));
    },
    addToCart(productId, quantity) {
      return until("POST", "/cart/items", { product_id: productId, quantity }, {}, settledUnlessTransient([201]));
    },
    checkout(key, body) {
      return until("POST", "/checkout", body, { "Idempotency-Key": key }, (r) => {
        // Still running elsewhere, or the saga's infrastructure failed (steps undone, nothing
        // charged): the contract asks for the same key and body again.
        if (r.status === 409 && r.problem === "idempotency-key-in-flight") return false;
        if (r.status === 0 || r.status === 429 || r.status >= 500) return false;
        return CHECKOUT_FINAL_STATUSES.has(r.status) ? true : "unexpected";
      });
    },
  };
}

/** Retry-After in delta-seconds or as an HTTP date; undefined when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1_000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
