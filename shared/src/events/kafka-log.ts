import { type logCreator, logLevel } from "kafkajs";
import type { Logger } from "../logger.js";

/**
 * Messages kafkajs logs on every start that say nothing about this system's health. The bus
 * bounds the idempotent producer's retries on purpose: publish must fail (and the outbox relay
 * retry later) rather than hang through a broker outage; events carry ids, so a duplicate from
 * a retried publish is deduplicated by consumers.
 */
const EXPECTED = new Set(["Limiting retries for the idempotent producer may invalidate EoS guarantees"]);

/** Routes kafkajs's own logging into our pino logger (use with `logLevel: logLevel.WARN`). */
export function kafkaLogCreator(logger: Logger): logCreator {
  const log = logger.child({ component: "kafkajs" });
  return () =>
    ({ namespace, level, log: entry }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry;
      if (EXPECTED.has(message)) return;
      const record = { namespace, ...fields };
      // Connection logs every error response, including the ones kafkajs retries past (a
      // coordinator still loading, a leader moving); a real failure surfaces as a rejected
      // call or a consumer crash, logged on its own.
      if (namespace === "Connection") log.debug(record, message);
      else if (level === logLevel.ERROR) log.error(record, message);
      else if (level === logLevel.WARN) log.warn(record, message);
      else if (level === logLevel.INFO) log.info(record, message);
      else log.debug(record, message);
    };
}
