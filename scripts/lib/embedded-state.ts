import { rmSync } from "node:fs";
import path from "node:path";
import { writePrivateFile } from "../provision/secrets-file.js";
import { readLiveStateFile } from "./process-alive.js";

/**
 * What a running `npm start` records in its data dir (embedded.json, 0600: the URL carries a
 * password) so tools run beside it (the outbox CLI) find it; removed when it stops cleanly,
 * and ignored once its process is gone.
 */
export interface EmbeddedState {
  pid: number;
  gatewayUrl: string;
  checkoutDatabaseUrl: string;
}

export const embeddedStateFile = (dataDir: string) => path.join(path.resolve(dataDir), "embedded.json");

export function writeEmbeddedState(dataDir: string, state: EmbeddedState): Promise<void> {
  return writePrivateFile(embeddedStateFile(dataDir), JSON.stringify(state));
}

export function removeEmbeddedState(dataDir: string): void {
  rmSync(embeddedStateFile(dataDir), { force: true });
}

/** The state of the embedded system running on `dataDir`; undefined when there is none (or its process is gone). */
export const readEmbeddedState = (dataDir: string): EmbeddedState | undefined =>
  readLiveStateFile(embeddedStateFile(dataDir));
