import { sendJson } from "./send-json.js";
import { TEST_ADDRESS } from "./test-address.js";

/** Replies are read field by field by the drills; their shape is what is under test. */
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

export interface Reply {
  /** The HTTP status; 0 when no answer came (refused, reset, timed out). */
  status: number;
  body: Json;
}

/**
 * One customer of the REST API (`<gateway>/api/v1`) with a dev token of their own. Nothing is
 * retried: a drill wants to see every status the system answers, and `statuses` keeps them all
 * (e.g. to assert that none was a 5xx).
 */
export class RestCustomer {
  readonly statuses: { request: string; status: number }[] = [];
  private token = "";

  constructor(
    private readonly api: string,
    readonly userId: string,
  ) {}

  async call(method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const answer = await sendJson(`${this.api}${route}`, {
      method,
      token: this.token,
      body,
      headers,
      timeoutMs: 30_000,
    });
    const reply: Reply = { status: answer.status, body: answer.body };
    this.statuses.push({ request: `${method} ${route}`, status: reply.status });
    return reply;
  }

  /** A dev token for this user, with `roles` (e.g. `admin`) when given. */
  async signIn(roles?: string[]): Promise<void> {
    const r = await this.call("POST", "/dev/token", { user_id: this.userId, ...(roles ? { roles } : {}) });
    if (r.status !== 200 && r.status !== 201) throw new Error(`no dev token for ${this.userId}: ${JSON.stringify(r)}`);
    this.token = r.body.token;
  }

  addItem(productId: string, quantity = 1): Promise<Reply> {
    return this.call("POST", "/cart/items", { product_id: productId, quantity });
  }

  /** A card checkout that succeeds unless the system refuses it. */
  checkout(idempotencyKey: string): Promise<Reply> {
    const body = { payment_method: { type: "card", token: "tok_visa" }, shipping_address: TEST_ADDRESS };
    return this.call("POST", "/checkout", body, { "Idempotency-Key": idempotencyKey });
  }

  async cart(): Promise<Json> {
    const r = await this.call("GET", "/cart");
    if (r.status !== 200) throw new Error(`GET /cart → ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Every order of this customer, all pages. */
  async orders(): Promise<Json[]> {
    const all: Json[] = [];
    let pageToken: string | null = null;
    do {
      const query: string = pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : "";
      const r = await this.call("GET", `/orders?limit=50${query}`);
      if (r.status !== 200) throw new Error(`GET /orders → ${r.status}: ${JSON.stringify(r.body)}`);
      all.push(...r.body.items);
      pageToken = r.body.next_page_token;
    } while (pageToken);
    return all;
  }
}
