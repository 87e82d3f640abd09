import type { Sql } from "@checkout-saga/shared";
import type { OutboxCliConfig } from "./cli-config.js";

/** What every command gets: settings, an output sink, and a pool opened on first use (closed by the runner). */
export interface CliContext {
  config: OutboxCliConfig;
  /** One line of stdout. */
  print(line: string): void;
  sql(): Sql;
}
