import { ConfigError } from "./config.js";
import { createKafkaEventBus, type KafkaEventBus } from "./events/kafka-bus.js";
import { type KafkaConnection, type KafkaSasl, parseKafkaBrokers } from "./events/kafka-wiring.js";
import { type Running, runUntilSignalled, stopInOrder } from "./lifecycle.js";
import { createLogger, type Logger } from "./logger.js";
import { startTracing, tracesExporterFromEnv } from "./tracing.js";

type Env = Record<string, string | undefined>;

/** What the process bootstrap reads from every service's parsed config. */
export interface ProcessConfig {
  logLevel: string;
}

interface ProcessDefinitionBase<C extends ProcessConfig> {
  /** The process's name (`cart-service`, `gateway`): logs, spans and the Kafka client id carry it. */
  name: string;
  /** The process environment, handed to `loadConfig` and the tracing settings; nothing else reads it. */
  env: Env;
  /** The service's config.ts: throws a ConfigError naming a bad or missing setting. */
  loadConfig(env: Env): C;
}

/** A process with no event bus of its own. */
export interface ProcessDefinition<C extends ProcessConfig> extends ProcessDefinitionBase<C> {
  kafka?: false;
  start(config: C, context: { logger: Logger }): Promise<Running>;
}

/** What a process with a Kafka bus reads: its brokers and, where the brokers ask for it, its SASL user. */
export interface KafkaProcessConfig extends ProcessConfig {
  kafkaBrokers?: string;
  kafkaSasl?: KafkaSasl;
}

/**
 * A process that publishes or consumes events: its Kafka bus (KAFKA_BROKERS, as the user
 * KAFKA_USERNAME when set) is built before `start`.
 */
export interface KafkaProcessDefinition<C extends KafkaProcessConfig> extends ProcessDefinitionBase<C> {
  kafka: true;
  /** `kafka` is where `events` connects, for a process that reads the broker beyond its bus (dead letters). */
  start(config: C, context: { logger: Logger; events: KafkaEventBus; kafka: KafkaConnection }): Promise<Running>;
}

/**
 * What every production-mode `main.ts` does, in one place: config (a bad setting exits 2 naming
 * it; service credentials on unless RPC_CREDENTIALS turns them off), the log level it asks for, tracing as OTEL_TRACES_EXPORTER says, the Kafka bus when the
 * process has one, then `start`; on SIGTERM/SIGINT it stops in reverse — the service (servers,
 * then its work, then its pools), the bus (flushes), tracing (flushes spans) — and exits 0.
 */
export function runProcess<C extends KafkaProcessConfig>(definition: KafkaProcessDefinition<C>): Promise<void>;
export function runProcess<C extends ProcessConfig>(definition: ProcessDefinition<C>): Promise<void>;
export function runProcess<C extends KafkaProcessConfig>(
  definition: ProcessDefinition<C> | KafkaProcessDefinition<C>,
): Promise<void> {
  const { name, env } = definition;
  const logger = createLogger(name);
  return runUntilSignalled(logger, async () => {
    const config = definition.loadConfig(productionDefaults(env));
    const levels = [...Object.keys(logger.levels.values), "silent"];
    if (!levels.includes(config.logLevel)) {
      throw new ConfigError(`LOG_LEVEL must be one of ${levels.join(", ")}, got "${config.logLevel}"`);
    }
    logger.level = config.logLevel;
    const stops: Array<() => Promise<void>> = [];
    try {
      const tracing = startTracing({ serviceName: name, exporter: tracesExporterFromEnv(env) });
      stops.unshift(() => tracing.stop());
      let running: Running;
      if (definition.kafka) {
        const kafka: KafkaConnection = {
          brokers: parseKafkaBrokers(config.kafkaBrokers, name),
          sasl: config.kafkaSasl,
        };
        const events = createKafkaEventBus({ ...kafka, clientId: name, logger });
        stops.unshift(() => events.close());
        running = await definition.start(config, { logger, events, kafka });
      } else {
        running = await definition.start(config, { logger });
      }
      stops.unshift(() => running.stop());
    } catch (err) {
      await stopInOrder(stops);
      throw err;
    }
    return { stop: () => stopInOrder(stops) };
  });
}

/**
 * A service started as its own process is production mode: its RPC port takes only calls with a
 * valid service credential unless the environment says RPC_CREDENTIALS=off. (Embedded mode, which
 * composes every service in one process on loopback, leaves them off by default.)
 */
function productionDefaults(env: Env): Env {
  return env.RPC_CREDENTIALS?.trim() ? env : { ...env, RPC_CREDENTIALS: "on" };
}
