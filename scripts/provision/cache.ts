import { existsSync } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
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
    const orphaned = owner > 0 ? !isAlive(owner) : Date.now() - (await mtimeMs(file)) > 5_000;
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
