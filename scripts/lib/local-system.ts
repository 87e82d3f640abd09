import path from "node:path";
import { ConfigError } from "@checkout-saga/shared";
import type { FoundSystem } from "../../checkout-service/src/outbox/cli/cli-config.js";
import { readStackCredentials } from "../stack/infra-credentials.js";
import { readSupervisorState } from "../stack/supervisor-state.js";
import { serverEnv, stackDirOf, stackPorts } from "../stack/wiring.js";
import { readEmbeddedState } from "./embedded-state.js";

type Env = Record<string, string | undefined>;

/**
 * The local system the outbox CLI talks to when its env names none: the stack running on
 * STACK_DIR (.data/stack), as its outbox-cli identity (the stack's own wiring: the checkout
 * database as checkout_service, Kafka as outbox-cli), else `npm start` running on DATA_DIR
 * (.data), whose event bus lives inside it (no Kafka). The stack first: it is the one with a
 * broker, and the line printed names the other when both run.
 */
export function findLocalSystem(env: Env, repoRoot: string): FoundSystem {
  const stackDir = stackDirOf(env, repoRoot);
  const dataDir = path.resolve(repoRoot, env.DATA_DIR ?? ".data");
  // Relative to where the user is, unless that climbs out of it.
  const shown = (dir: string) => {
    const relative = path.relative(process.cwd(), dir);
    return relative.startsWith("..") ? dir : relative || ".";
  };
  const stack = readSupervisorState(stackDir);
  const embedded = readEmbeddedState(dataDir);
  if (stack) {
    const settings = serverEnv("outbox-cli", readStackCredentials(stackDir), stack.ports ?? stackPorts(env));
    const also = embedded ? ` (npm start runs too, on ${shown(dataDir)}: set CHECKOUT_DATABASE_URL to talk to it)` : "";
    return {
      description: `using the running stack (${shown(stackDir)}): checkout database ${withoutPassword(settings.CHECKOUT_DATABASE_URL!)}, kafka ${settings.KAFKA_BROKERS} as ${settings.KAFKA_USERNAME}${also}`,
      env: settings,
    };
  }
  if (embedded) {
    return {
      description: `using the running npm start (${shown(dataDir)}): checkout database ${withoutPassword(embedded.checkoutDatabaseUrl)}, no Kafka (its events stay inside that process)`,
      env: { CHECKOUT_DATABASE_URL: embedded.checkoutDatabaseUrl },
    };
  }
  throw new ConfigError(
    `no running system found (no stack in ${shown(stackDir)}, no npm start in ${shown(dataDir)}) and CHECKOUT_DATABASE_URL is not set: start one (npm start, or npm run stack -- up), or set CHECKOUT_DATABASE_URL (and KAFKA_BROKERS, KAFKA_USERNAME, KAFKA_PASSWORD) to reach another`,
  );
}

/** A URL fit to print: its user stays, its password goes. */
function withoutPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = "";
  return parsed.href;
}
