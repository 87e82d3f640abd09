import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * `npm test`: every stage in order, stopping at the first that fails, then one closing line
 * `tests: N passed, N failed` that adds up what the stages ran. CI reads that line to tell a run
 * that tested something from one that tested nothing (vitest's own summary is not one it reads).
 */
interface Counts {
  passed: number;
  failed: number;
}

interface Stage {
  name: string;
  command: string[];
  /** How many tests the stage ran, read once it has exited; none for checks that are not tests. */
  counts?: (output: string) => Promise<Counts>;
}

const resultsDir = await mkdtemp(join(tmpdir(), "checkout-saga-test-results-"));

/** vitest with its usual reporter on screen and a JSON report beside it, to count from. */
function vitestStage(name: string, configArgs: string[]): Stage {
  const report = join(resultsDir, `${name}.json`);
  return {
    name,
    command: [
      "npx",
      "vitest",
      "run",
      ...configArgs,
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
    ],
    counts: async () => {
      const json = JSON.parse(await readFile(report, "utf8")) as { numPassedTests: number; numFailedTests: number };
      return { passed: json.numPassedTests, failed: json.numFailedTests };
    },
  };
}

/** An e2e script closes on `…: N passed, N failed`; that line is its count. */
function e2eStage(name: string, script: string): Stage {
  return {
    name,
    command: ["npx", "tsx", script],
    counts: async (output) => {
      const lines = [...output.matchAll(/(\d+) passed, (\d+) failed\s*$/gm)];
      const last = lines.at(-1);
      if (!last) throw new Error(`${script} printed no "N passed, N failed" line`);
      return { passed: Number(last[1]), failed: Number(last[2]) };
    },
  };
}

const stages: Stage[] = [
  { name: "typecheck", command: ["npm", "run", "--silent", "typecheck"] },
  { name: "lint", command: ["npm", "run", "--silent", "lint"] },
  vitestStage("suites", []),
  vitestStage("drills", ["-c", "vitest.drills.config.ts"]),
  e2eStage("e2e (embedded)", "scripts/e2e-embedded.ts"),
  e2eStage("e2e (stack)", "scripts/e2e-stack.ts"),
];

/** Runs one stage with its output passed through (and kept, to count from); resolves to its exit code. */
function run(stage: Stage): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const [command, ...args] = stage.command as [string, ...string[]];
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      if (stage.counts) output += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

const total: Counts = { passed: 0, failed: 0 };
let broken: string | undefined;
try {
  for (const stage of stages) {
    console.log(`\n━━ npm test: ${stage.name}`);
    const { code, output } = await run(stage);
    if (stage.counts) {
      const counts = await stage.counts(output).catch(() => undefined);
      if (counts) {
        total.passed += counts.passed;
        total.failed += counts.failed;
      }
    }
    if (code !== 0) {
      broken = `${stage.name} exited with ${code}`;
      // A stage that failed without a failing test (a crash, a timeout) still counts as one failure.
      if (total.failed === 0) total.failed = 1;
      break;
    }
  }
} finally {
  await rm(resultsDir, { recursive: true, force: true });
}
if (broken) console.error(`\nnpm test stopped: ${broken}; later stages did not run`);
console.log(`\ntests: ${total.passed} passed, ${total.failed} failed`);
process.exit(broken ? 1 : 0);
