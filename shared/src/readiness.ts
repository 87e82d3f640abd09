import { Code, ConnectError } from "@connectrpc/connect";
import type { BusReadiness } from "./events/event-bus.js";

/**
 * One dependency readiness looks at. `check` resolves when the dependency answers and rejects
 * (or outruns `timeoutMs`) when it does not. A non-critical dependency (a cache, the broker
 * behind an outbox or a consumer) is reported but leaves the service ready: it works without it.
 */
export interface ReadinessCheck {
  check(signal: AbortSignal): Promise<void>;
  critical: boolean;
  /** Default 2 s. */
  timeoutMs?: number;
}

export interface CheckResult {
  ok: boolean;
  critical: boolean;
  latency_ms: number;
  error?: string;
}

/**
 * ready: every check passed; degraded: only non-critical ones failed (still serving);
 * not_ready: a critical one failed.
 */
export interface ReadinessReport {
  status: "ready" | "degraded" | "not_ready";
  checks: Record<string, CheckResult>;
}

const DEFAULT_TIMEOUT_MS = 2_000;

/** Runs every check at once, each under its own deadline. */
export async function checkReadiness(checks: Record<string, ReadinessCheck>): Promise<ReadinessReport> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, c]) => [name, await runCheck(c)] as const),
  );
  const failed = results.filter(([, r]) => !r.ok);
  const status = failed.some(([, r]) => r.critical) ? "not_ready" : failed.length > 0 ? "degraded" : "ready";
  return { status, checks: Object.fromEntries(results) };
}

async function runCheck(c: ReadinessCheck): Promise<CheckResult> {
  const started = performance.now();
  const timeoutMs = c.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  const latency = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    await Promise.race([c.check(abort.signal), timeout]);
    return { ok: true, critical: c.critical, latency_ms: latency() };
  } catch (err) {
    return { ok: false, critical: c.critical, latency_ms: latency(), error: describe(err) };
  } finally {
    clearTimeout(timer);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Codes that show no healthy server answered, or one that refuses our service credential (so
 * every real call would fail too); any other answer, even a refusal, means it is up.
 */
export const DOWN_CODES: ReadonlySet<Code> = new Set([
  Code.Unavailable,
  Code.DeadlineExceeded,
  Code.Unknown,
  Code.Internal,
  Code.Unimplemented,
  Code.Unauthenticated,
]);

/**
 * A readiness check of another service through the cheapest call it offers (an empty lookup,
 * or a request it refuses before touching storage): up when it answers with anything but a
 * "nobody home" code or a refusal of our credential.
 */
export function rpcReadiness(
  call: (options: { signal: AbortSignal; timeoutMs: number }) => Promise<unknown>,
  options: { critical: boolean; timeoutMs?: number },
): ReadinessCheck {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    critical: options.critical,
    timeoutMs,
    async check(signal) {
      try {
        await call({ signal, timeoutMs });
      } catch (err) {
        const e = ConnectError.from(err);
        if (DOWN_CODES.has(e.code)) throw new Error(e.message);
      }
    },
  };
}

/**
 * The broker behind an event bus, when it has one (Kafka; the in-process bus has none), as a
 * `kafka` check that is reported but never decides: events wait in the outbox or on the topic
 * while it is away, and the service goes on serving.
 */
export function busReadiness(bus: Partial<BusReadiness>): Record<string, ReadinessCheck> {
  const ready = bus.ready?.bind(bus);
  return ready ? { kafka: { critical: false, check: ready } } : {};
}
