/**
 * The e2e scenarios' REST client: each call goes through the gateway as a user would, each step
 * is announced and states what it expects; the first broken expectation throws an E2EFailure
 * naming the step, and nothing after it runs.
 */
export class E2EFailure extends Error {
  override readonly name = "E2EFailure";
}

/** Replies are read field by field and checked; their shape is what is under test. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type Json = any;

export interface Reply {
  status: number;
  headers: Headers;
  body: Json;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export type E2EClient = ReturnType<typeof e2eClient>;

export function e2eClient(baseUrl: string, log: (line: string) => void) {
  const api = `${baseUrl.replace(/\/$/, "")}/api/v1`;
  let step = "";

  const expect = (ok: boolean, what: string, got?: unknown) => {
    if (!ok)
      throw new E2EFailure(`${step}: expected ${what}${got === undefined ? "" : `, got ${JSON.stringify(got)}`}`);
  };

  const call = async (method: string, path: string, init: CallOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(`${api}${path}`, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    } catch (err) {
      throw new E2EFailure(
        `${step}: ${method} ${api}${path} could not connect (${(err as Error).cause ?? err}). Is the system running? (npm start)`,
      );
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: res.status, headers: res.headers, body };
  };

  const begin = (name: string) => {
    step = name;
    log(`• ${name}`);
  };

  const poll = async <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new E2EFailure(`${step}: gave up after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  /** A dev token for `userId` (dev tokens must be on), with `roles` if given. */
  const devToken = async (userId: string, roles?: string[]): Promise<string> => {
    const r = await call("POST", "/dev/token", { body: roles ? { user_id: userId, roles } : { user_id: userId } });
    expect(r.status === 200 || r.status === 201, "a token (are dev tokens enabled?)", r);
    expect(typeof r.body.token === "string" && r.body.token.length > 0, "a token string", r.body);
    return r.body.token;
  };

  /** The product's available count, as the catalog shows it. */
  const available = async (token: string, productId: string): Promise<number> => {
    const r = await call("GET", `/products/${productId}`, { token });
    expect(r.status === 200, `GET /products/${productId} → 200`, r);
    return r.body.available;
  };

  /** Polls the caller's orders until the one placed by `checkoutId` is there. */
  const orderOf = (token: string, checkoutId: string) =>
    poll(`the order of checkout ${checkoutId}`, async () => {
      const r = await call("GET", "/orders", { token });
      expect(r.status === 200, "200 from GET /orders", r);
      return r.body.items.find((o: Json) => o.checkout_id === checkoutId);
    });

  return { call, expect, begin, poll, devToken, available, orderOf };
}
