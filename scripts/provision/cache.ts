import { existsSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isProcessAlive } from "../lib/process-alive.js";
import type { ProgressStep } from "../lib/progress.js";
import { ProvisionError } from "./provision-error.js";

/**
 * Where downloads and builds are kept between runs: outside the clone (CI clones afresh each
 * run), overridable by CHECKOUT_SAGA_CACHE.
 */
export function provisionCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.CHECKOUT_SAGA_CACHE || path.join(os.homedir(), ".cache", "checkout-saga"));
}

/**
 * Fills `target` once: if it exists it is taken as complete (it only ever appears by an atomic
 * rename), otherwise `fill` writes into a scratch folder that is renamed into place. A lock file
 * keeps concurrent provisioners (parallel test files, a CI warm-up) from doing the work twice.
 * Returns whether this call did the work.
 */
export async function ensureCached(target: string, fill: (scratch: string) => Promise<void>): Promise<boolean> {
  if (existsSync(target)) return false;
  await mkdir(path.dirname(target), { recursive: true });
  const release = await lock(`${target}.lock`);
  try {
    if (existsSync(target)) return false;
    const scratch = `${target}.partial`;
    await rm(scratch, { recursive: true, force: true });
    await mkdir(scratch, { recursive: true });
    try {
      await fill(scratch);
      await rename(scratch, target);
    } catch (err) {
      await rm(scratch, { recursive: true, force: true });
      throw err;
    }
    return true;
  } finally {
    await release();
  }
}

const LOCK_WAIT_MS = 15 * 60_000;

/** An exclusive lock file holding the owner's pid; a lock whose owner died is taken over. */
async function lock(file: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(file, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const owner = Number((await readFile(file, "utf8").catch(() => "")).trim());
    // An empty file older than a few seconds: its owner died between creating and writing it.
    const orphaned = owner > 0 ? !isProcessAlive(owner) : Date.now() - (await mtimeMs(file)) > 5_000;
    if (orphaned) {
      await rm(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new ProvisionError(`timed out waiting for ${file} (held by pid ${owner || "?"}); remove it if stale`);
    }
    await sleep(250);
  }
}

async function mtimeMs(file: string): Promise<number> {
  return (await stat(file).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
}

/**
 * Reports the growing size of `dir` (a download or build in progress whose tool prints nothing)
 * to `step` every second, until the returned function is called.
 */
export function reportGrowth(dir: string, step: ProgressStep): () => void {
  let measuring = false;
  const timer = setInterval(() => {
    if (measuring) return;
    measuring = true;
    void directoryBytes(dir)
      .then((bytes) => step.update({ bytes }))
      .finally(() => {
        measuring = false;
      });
  }, 1_000);
  timer.unref();
  return () => clearInterval(timer);
}

/** The bytes of the files under `dir`; files that vanish while it counts (a tool renaming them) are skipped. */
async function directoryBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  let total = 0;
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(full);
    else total += (await stat(full).catch(() => ({ size: 0 }))).size;
  }
  return total;
}
