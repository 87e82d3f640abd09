import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

export const profileSummaryUsage = `usage: npm run bench -- profile-summary FILE.cpuprofile [--top N]

Where a CPU profile (node --cpu-prof; the checkout bench's --cpu-prof writes one) spent its
time: self time grouped by where the code lives, then the functions with the most self time.
Groups: node_modules/<package>, a workspace dir of this repo (checkout-service, shared, …),
(node internals) for node's own JavaScript (node: modules), (native) for native code called
from JavaScript (C++ bindings such as socket and file writes, V8 builtins), (gc), and
(program) for V8 itself. (idle) is listed apart; the shares are of the busy time.

  --top N   rows of each table (default 15)`;

/** The parts of the .cpuprofile format (Chrome DevTools protocol Profiler.Profile) read here. */
interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  startTime: number;
  endTime: number;
  samples: number[];
  /** Microseconds from the previous sample (the first: from startTime). */
  timeDeltas: number[];
}

interface CallFrame {
  functionName: string;
  url: string;
  /** 0-based. */
  lineNumber: number;
}

const repoRoot = path.resolve(import.meta.dirname, "../..");

export async function summarizeProfile(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { top: { type: "string", default: "15" } },
  });
  const top = Number(values.top);
  const [file] = positionals;
  if (!file || positionals.length > 1 || !Number.isInteger(top) || top <= 0) {
    throw new RangeError(`one profile file and a positive --top, please\n\n${profileSummaryUsage}`);
  }
  const profile = JSON.parse(await readFile(file, "utf8")) as CpuProfile;

  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byGroup = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const add = (totals: Map<string, number>, key: string, us: number) => totals.set(key, (totals.get(key) ?? 0) + us);
  // A sample stands for the time until the next one; the last, until the profile ended.
  let at = profile.startTime;
  const times = profile.timeDeltas.map((d) => (at += d));
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id);
    if (!frame) return;
    const us = (times[i + 1] ?? profile.endTime) - times[i]!;
    const { group, location } = whereCodeLives(frame);
    add(byGroup, group, us);
    if (location !== "") add(byFunction, `${frame.functionName || "(anonymous)"}  ${location}`, us);
  });

  const idleUs = byGroup.get("(idle)") ?? 0;
  byGroup.delete("(idle)");
  const busyUs = [...byGroup.values()].reduce((a, b) => a + b, 0);
  const ms = (us: number) => `${(us / 1000).toFixed(0)} ms`;
  const table = (totals: Map<string, number>) => {
    const ranked = [...totals].sort((a, b) => b[1] - a[1]).slice(0, top);
    for (const [key, us] of ranked) {
      console.log(`  ${`${((us / busyUs) * 100).toFixed(1)} %`.padStart(7)}  ${ms(us).padStart(9)}  ${key}`);
    }
  };
  console.log(file);
  console.log(`profile ${ms(profile.endTime - profile.startTime)}: busy ${ms(busyUs)}, idle ${ms(idleUs)}`);
  console.log(`self time by where the code lives, top ${top}:`);
  table(byGroup);
  console.log(`self time by function, top ${top}:`);
  table(byFunction);
}

/** The group a function's code belongs to, and where it is: file:line, (native), or nothing for V8's own entries. */
function whereCodeLives(frame: CallFrame): { group: string; location: string } {
  const { functionName, url } = frame;
  if (functionName === "(garbage collector)") return { group: "(gc)", location: "" };
  if (url === "") {
    const special = ["(idle)", "(program)", "(root)"].includes(functionName);
    return { group: special ? functionName : "(native)", location: special ? "" : "(native)" };
  }
  const line = `:${frame.lineNumber + 1}`;
  if (!url.startsWith("file:")) {
    // node:internal/…, wasm://…: node's own code.
    return { group: "(node internals)", location: `${url}${line}` };
  }
  const file = fileURLToPath(url);
  const inPackage = file.split("/node_modules/").at(-1)!;
  if (inPackage !== file) {
    const [scopeOrName, name] = inPackage.split("/");
    const pkg = scopeOrName!.startsWith("@") ? `${scopeOrName}/${name}` : scopeOrName!;
    return { group: `node_modules/${pkg}`, location: `${inPackage}${line}` };
  }
  const inRepo = path.relative(repoRoot, file);
  if (inRepo.startsWith("..")) return { group: file, location: `${file}${line}` };
  return { group: inRepo.split(path.sep)[0]!, location: `${inRepo}${line}` };
}
