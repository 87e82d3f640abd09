import { type DestinationStream, type Logger, pino } from "pino";
import pretty from "pino-pretty";
import { ConfigError } from "./config.js";
import { logContextFields } from "./log-context.js";

export type { Logger };

/** `json` for machines (one object a line), `pretty` for a developer's terminal. */
export type LogFormat = "json" | "pretty";

export interface LoggerOptions {
  level?: string;
  /** Default: LOG_FORMAT, else `pretty` on a terminal outside production, else `json`. */
  format?: LogFormat;
  /** Where lines go (tests); stdout otherwise. */
  destination?: DestinationStream;
}

/**
 * Secrets that must never reach a log, at the depths they appear: bearer tokens and
 * authorization headers, payment tokens (`payment_method.token` on the REST side,
 * `paymentMethod.token` inside services) and card tokens, top-level or nested in the object
 * logged (`{ req: { headers: { authorization } } }`, `{ request: { paymentMethod: { token } } }`).
 */
const REDACT_PATHS = ["authorization", "token", "cardToken", "card_token", "paymentToken", "payment_token"].flatMap(
  (key) => [
    key,
    `*.${key}`,
    `*.*.${key}`,
    `headers.${key}`,
    `*.headers.${key}`,
    `paymentMethod.${key}`,
    `payment_method.${key}`,
    `*.paymentMethod.${key}`,
    `*.payment_method.${key}`,
    `*.*.paymentMethod.${key}`,
    `*.*.payment_method.${key}`,
  ],
);

/**
 * Which format LOG_FORMAT asks for; unset means `pretty` when stdout is a terminal and
 * NODE_ENV is not `production`, `json` otherwise (files, pipes, containers).
 */
export function resolveLogFormat(
  value: string | undefined,
  where: { isTTY: boolean; nodeEnv: string | undefined },
): LogFormat {
  if (value === undefined || value === "") return where.isTTY && where.nodeEnv !== "production" ? "pretty" : "json";
  if (value === "json" || value === "pretty") return value;
  throw new ConfigError(`LOG_FORMAT must be "json" or "pretty", got "${value}"`);
}

let asyncStdout: DestinationStream | undefined;

/**
 * JSON lines go out asynchronously: a request does not wait for a write(2) per line, lines
 * logged while a write is in flight go out together with the next one, and none waits for a
 * buffer to fill (an idle service's last line is not held back). pino flushes it synchronously
 * on exit. One stream per process: embedded mode's services share stdout without interleaving.
 */
function stdout(): DestinationStream {
  asyncStdout ??= pino.destination({ dest: 1, sync: false });
  return asyncStdout;
}

/**
 * pino logs with the service name on every line, plus the request, user and checkout ids of
 * the work in progress (see `withLogContext`); secrets never reach the output.
 */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  const format =
    options.format ??
    resolveLogFormat(process.env.LOG_FORMAT, { isTTY: process.stdout.isTTY === true, nodeEnv: process.env.NODE_ENV });
  const destination =
    options.destination ??
    // A developer's terminal: synchronous, so the "stopped" line is out before process.exit.
    (format === "pretty" ? pretty({ sync: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" }) : stdout());
  return pino(
    {
      name: service,
      level: options.level ?? "info",
      base: { service },
      mixin: logContextFields,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    },
    destination,
  );
}
