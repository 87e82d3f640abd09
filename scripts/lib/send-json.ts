/** Replies are read field by field by their callers; their shape is what is under test. */
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

/** One answer of the REST API; status 0 when none came (refused, reset, timed out), with the error as body. */
export interface JsonAnswer {
  status: number;
  headers: Headers;
  body: Json;
}

/**
 * Sends one JSON request to the gateway, with a bearer token when given; never throws and
 * never retries (the drills' clients decide that). A body that is not JSON comes back as text.
 */
export async function sendJson(
  url: string,
  request: { method: string; token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs: number },
): Promise<JsonAnswer> {
  try {
    const res = await fetch(url, {
      method: request.method,
      headers: {
        ...request.headers,
        ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
        ...(request.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const text = await res.text();
    let body: Json;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: res.status, headers: res.headers, body };
  } catch (err) {
    return { status: 0, headers: new Headers(), body: { error: String((err as Error).cause ?? err) } };
  }
}
