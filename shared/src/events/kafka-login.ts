import type { EnvReader } from "../config.js";
import { type KafkaSasl, parseKafkaSasl } from "./kafka-wiring.js";

/**
 * A Kafka client's login: KAFKA_SASL_MECHANISM, KAFKA_USERNAME and KAFKA_PASSWORD. A file of its
 * own, so that only the services that call it count as reading them (deployments/ follows imports).
 */
export function readKafkaSasl(e: EnvReader): KafkaSasl | undefined {
  return parseKafkaSasl({
    mechanism: e.optionalString("KAFKA_SASL_MECHANISM"),
    username: e.optionalString("KAFKA_USERNAME"),
    password: e.optionalString("KAFKA_PASSWORD"),
  });
}
