import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** CPU milliseconds by group of processes (a service, `postgres`, …). */
export type CpuMs = Map<string, number>;

/** A process tree to account for: its root and the groups of the processes the caller knows by pid. */
export interface ProcessTree {
  root: number;
  /** Group names by pid (the root among them); any other process goes with its nearest named ancestor, or, below the root, its own command name. */
  groups: ReadonlyMap<number, string>;
}

interface ProcStat {
  comm: string;
  ppid: number;
  /** utime + stime, in clock ticks. */
  ownTicks: number;
  /** cutime + cstime: children this process has waited for, in clock ticks. */
  reapedTicks: number;
}

let ticksPerSecond: number | undefined;

/** /proc counts CPU time in clock ticks; how many a second is the system's setting (almost always 100). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    const answer = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
    ticksPerSecond = Number(answer.stdout.trim());
    if (!Number.isInteger(ticksPerSecond) || ticksPerSecond <= 0)
      throw new Error(`getconf CLK_TCK answered ${JSON.stringify(answer.stdout)} ${answer.error ?? ""}`);
  }
  return ticksPerSecond;
}

/**
 * CPU time each group of the tree has used so far, from /proc/<pid>/stat. A process counts
 * with it the children it has reaped, so PostgreSQL backends that ended count with the
 * postmaster; the growth between two readings is what a period cost.
 */
export function treeCpuMs(tree: ProcessTree): CpuMs {
  const procs = readProcStats();
  const groupOf = new Map<number, string | undefined>();
  const group = (pid: number): string | undefined => {
    if (groupOf.has(pid)) return groupOf.get(pid);
    const p = procs.get(pid);
    const named = tree.groups.get(pid);
    const g = named ?? (p === undefined || p.ppid === 0 ? undefined : p.ppid === tree.root ? p.comm : group(p.ppid));
    groupOf.set(pid, g);
    return g;
  };
  const ticks = new Map<string, number>();
  for (const [pid, p] of procs) {
    const g = group(pid);
    if (g !== undefined) ticks.set(g, (ticks.get(g) ?? 0) + p.ownTicks + p.reapedTicks);
  }
  const msPerTick = 1000 / clockTicksPerSecond();
  return new Map([...ticks].map(([g, t]) => [g, t * msPerTick]));
}

/** This process's own CPU time so far (user + system), in ms. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function readProcStats(): Map<number, ProcStat> {
  const procs = new Map<number, ProcStat>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // it ended while we looked; its parent has reaped or will reap it
    }
    // The command name is in parentheses and may hold spaces or parentheses: fields follow the last ")".
    const close = text.lastIndexOf(")");
    const fields = text.slice(close + 2).split(" ");
    // fields[0] is field 3 of proc(5) (state): ppid is field 4, utime..cstime are fields 14–17.
    const n = (field: number) => Number(fields[field - 3]);
    procs.set(Number(entry), {
      comm: text.slice(text.indexOf("(") + 1, close),
      ppid: n(4),
      ownTicks: n(14) + n(15),
      reapedTicks: n(16) + n(17),
    });
  }
  return procs;
}
