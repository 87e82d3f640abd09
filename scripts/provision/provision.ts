/**
 * Downloads, installs and caches the real servers without starting them, so CI (or a new
 * machine) can warm up: `tsx scripts/provision/provision.ts <redis|kafka|ferretdb|all>`.
 * Exit 2 on bad arguments, 1 when something is missing (the first line says what and how to get it).
 */
import { createProgress, type Progress } from "../lib/progress.js";
import { installFerretDb, installKafka, installRedis, ProvisionError, type ProvisionResult } from "./servers.js";

const steps: Record<string, (progress: Progress) => Promise<ProvisionResult>> = {
  redis: installRedis,
  kafka: installKafka,
  ferretdb: installFerretDb,
};

const target = process.argv[2];
if (process.argv.length !== 3 || !target || !(target === "all" || target in steps)) {
  console.error("usage: provision.ts <redis|kafka|ferretdb|all>");
  process.exit(2);
}

const progress = createProgress();
for (const [name, install] of Object.entries(steps)) {
  if (target !== "all" && target !== name) continue;
  try {
    // The progress lines say what was fetched or built, and what was there already.
    await install(progress);
  } catch (err) {
    if (!(err instanceof ProvisionError)) throw err;
    console.error(`provision ${name}: ${err.message}`);
    process.exit(1);
  }
}
