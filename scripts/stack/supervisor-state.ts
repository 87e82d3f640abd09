import { writeFileSync } from "node:fs";
import path from "node:path";
import { readLiveStateFile } from "../lib/process-alive.js";
import type { StackPorts } from "./wiring.js";

/**
 * What a running supervisor records in its state dir (supervisor.json): who it is, where it
 * takes commands, and the servers' ports it was started with (so tools need not guess them
 * from their own env).
 */
export interface SupervisorState {
  pid: number;
  controlPort: number;
  /** Absent in a file written before ports were recorded. */
  ports?: StackPorts;
}

export const supervisorStateFile = (stackDir: string) => path.join(stackDir, "supervisor.json");

export function writeSupervisorState(stackDir: string, state: SupervisorState): void {
  writeFileSync(supervisorStateFile(stackDir), JSON.stringify(state));
}

/** The state of the supervisor running on `stackDir`; undefined when there is none (or its process is gone). */
export const readSupervisorState = (stackDir: string): SupervisorState | undefined =>
  readLiveStateFile(supervisorStateFile(stackDir));
