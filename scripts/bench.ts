import { benchCheckout, checkoutBenchUsage } from "./bench/checkout.js";
import { benchOutbox, outboxBenchUsage } from "./bench/outbox.js";
import { profileSummaryUsage, summarizeProfile } from "./bench/profile-summary.js";

const benches: Record<string, { run: (argv: string[]) => Promise<void>; usage: string }> = {
  checkout: { run: benchCheckout, usage: checkoutBenchUsage },
  outbox: { run: benchOutbox, usage: outboxBenchUsage },
  "profile-summary": { run: summarizeProfile, usage: profileSummaryUsage },
};

const usage = `usage: npm run bench -- <name> [options]

Benchmarks print figures; they never pass or fail on timing. profile-summary reads the CPU
profile a benchmark's --cpu-prof wrote.
${Object.entries(benches)
  .map(([name, b]) => `\n${name}:\n${b.usage}`)
  .join("\n")}`;

const [name, ...rest] = process.argv.slice(2);
if (!name || name === "--help" || name === "-h") {
  console.log(usage);
  process.exit(name ? 0 : 2);
}
const bench = benches[name];
if (!bench) {
  console.error(`unknown benchmark "${name}"\n\n${usage}`);
  process.exit(2);
}
if (rest.includes("--help") || rest.includes("-h")) {
  console.log(bench.usage);
  process.exit(0);
}
try {
  await bench.run(rest);
  process.exit(0);
} catch (err) {
  console.error(
    err instanceof RangeError || (err as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION"
      ? (err as Error).message
      : err,
  );
  process.exit(1);
}
