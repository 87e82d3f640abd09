/**
 * Downloads, installs and caches the real servers without starting them, so CI (or a new
 * machine) can warm up: `tsx scripts/provision/provision.ts <redis|kafka|ferretdb|all>`.
 * Exit 2 on bad arguments, 1 when something is missing (the first line says what and how to get it).
 */
import { installFerretDb, installKafka, installRedis, ProvisionError, type ProvisionResult } from "./servers.js";

const steps: Record<string, () => Promise<ProvisionResult>> = {
  redis: installRedis,
  kafka: installKafka,
  ferretdb: installFerretDb,
};

const target = process.argv[2];
if (process.argv.length !== 3 || !target || !(target === "all" || target in steps)) {
  console.error("usage: provision.ts <redis|kafka|ferretdb|all>");
  process.exit(2);
}

for (const [name, install] of Object.entries(steps)) {
  if (target !== "all" && target !== name) continue;
  const started = performance.now();
  try {
    const result = await install();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `${result.what}: ${result.installed ? "installed" : "already there"} at ${result.location} (${seconds} s)`,
    );
  } catch (err) {
    if (!(err instanceof ProvisionError)) throw err;
    console.error(`provision ${name}: ${err.message}`);
    process.exit(1);
  }
}
