import { existsSync, readFileSync } from "node:fs";

/** Whether a process with this pid exists (one of another user's counts: EPERM). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A state file a running process keeps (its pid inside); undefined when there is none, or its process is gone. */
export function readLiveStateFile<T extends { pid: number }>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, "utf8")) as T;
  return isProcessAlive(state.pid) ? state : undefined;
}
