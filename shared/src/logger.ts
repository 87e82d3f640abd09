import { type Logger, pino } from "pino";

export type { Logger };

/** JSON logs with the service name on every line; secrets never reach the output. */
export function createLogger(service: string, options: { level?: string } = {}): Logger {
  return pino({
    name: service,
    level: options.level ?? "info",
    base: { service },
    redact: {
      paths: ["authorization", "*.authorization", "token", "*.token", "paymentMethod.token", "*.paymentMethod.token"],
      censor: "[redacted]",
    },
  });
}
