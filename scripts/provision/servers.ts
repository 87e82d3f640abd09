/**
 * Real servers as local processes, for the test set-up and `npm run stack` when the env names
 * none: Redis from Debian's package, Kafka (KRaft) from the Maven Central jars, FerretDB built
 * from the Go module proxy. Downloads are cached in CHECKOUT_SAGA_CACHE (default
 * ~/.cache/checkout-saga); each start checks its port, waits for readiness and returns a stop()
 * that waits for the process to exit.
 */
export { provisionCacheDir } from "./cache.js";
export {
  FERRETDB_VERSION,
  installFerretDb,
  type RunningFerretDb,
  startFerretDb,
} from "./ferretdb.js";
export {
  createKafkaTopics,
  installKafka,
  KAFKA_SCRAM_MECHANISM,
  KAFKA_VERSION,
  type KafkaInfraSecrets,
  type RunningKafka,
  startKafka,
} from "./kafka.js";
export type { KafkaGrant, KafkaOperation, KafkaUser } from "./kafka-access.js";
export { ProvisionError } from "./provision-error.js";
export type { ProvisionResult } from "./provision-result.js";
export { installRedis, type RunningRedis, startRedis } from "./redis.js";
