import {
  CHECKOUT_EVENTS_TOPIC,
  ConfigError,
  createKafkaEventBus,
  createLogger,
  type KafkaConnection,
  type RepublishOutcome,
} from "@checkout-saga/shared";
import { checkoutDeadLetterQueue } from "../checkout-dead-letters.js";
import { helpOption, jsonOption, parseLimit, parseOptions, UsageError } from "./cli-args.js";
import type { CliContext } from "./cli-context.js";
import { deadLetterJson, formatDeadLetter } from "./format.js";
import { usage } from "./usage.js";

/** Kafka client id of the CLI's dead-letter reads (and prefix of `list`'s throwaway groups). */
const CLIENT_ID = "outbox-cli";

/** `dead-letters list|republish`: the messages consumers parked on checkout-events.dlq. */
export async function deadLettersCommand(args: string[], ctx: CliContext): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "--help" || sub === "-h") {
    if (sub === undefined) throw new UsageError("missing subcommand: list or republish", usage.deadLetters);
    return ctx.print(usage.deadLetters);
  }
  if (sub === "list") return listDeadLetters(rest, ctx);
  if (sub === "republish") return republishDeadLetters(rest, ctx);
  throw new UsageError(`unknown dead-letters subcommand "${sub}"`, usage.deadLetters);
}

function requireKafka(ctx: CliContext): KafkaConnection {
  const kafka = ctx.config.kafka();
  if (!kafka) {
    throw new ConfigError(
      "KAFKA_BROKERS is not set: dead letters live on Kafka (in embedded mode they stay in the running process: GET /api/v1/admin/dead-letters lists them)",
    );
  }
  return kafka;
}

async function listDeadLetters(args: string[], ctx: CliContext): Promise<void> {
  const opts = parseOptions(
    args,
    { ...helpOption, ...jsonOption, all: { type: "boolean" }, limit: { type: "string" } },
    usage.deadLettersList,
  );
  if (opts.help) return ctx.print(usage.deadLettersList);
  const limit = parseLimit(opts.limit, 100, 100_000, usage.deadLettersList);
  const queue = checkoutDeadLetterQueue(requireKafka(ctx), CLIENT_ID);
  const entries = (await queue.list()).filter((d) => opts.all || d.pending).slice(0, limit);
  if (opts.json) return ctx.print(JSON.stringify(entries.map(deadLetterJson)));
  for (const entry of entries) ctx.print(formatDeadLetter(entry));
  ctx.print(`${entries.length} ${opts.all ? "" : "pending "}dead letter(s) on ${queue.topic}`);
}

async function republishDeadLetters(args: string[], ctx: CliContext): Promise<void> {
  const opts = parseOptions(
    args,
    { ...helpOption, ...jsonOption, "dry-run": { type: "boolean" } },
    usage.deadLettersRepublish,
  );
  if (opts.help) return ctx.print(usage.deadLettersRepublish);
  const dryRun = opts["dry-run"] ?? false;
  const kafka = requireKafka(ctx);
  const queue = checkoutDeadLetterQueue(kafka, CLIENT_ID);
  const bus = dryRun
    ? undefined
    : createKafkaEventBus({ ...kafka, clientId: CLIENT_ID, logger: createLogger("outbox-cli", { level: "silent" }) });
  const outcomes: RepublishOutcome[] = [];
  try {
    await queue.republish(bus, (outcome) => {
      outcomes.push(outcome);
      if (opts.json) return;
      const verb =
        outcome.action === "skipped-undecodable" ? "skipped (undecodable)" : dryRun ? "would republish" : "republished";
      ctx.print(`${verb}  ${formatDeadLetter(outcome.entry)}`);
    });
  } finally {
    await bus?.close();
  }
  const republished = outcomes.filter((o) => o.action === "republished").length;
  const skipped = outcomes.length - republished;
  if (opts.json) {
    ctx.print(
      JSON.stringify({
        dry_run: dryRun,
        republished,
        skipped_undecodable: skipped,
        entries: outcomes.map((o) => ({ action: o.action, ...deadLetterJson(o.entry) })),
      }),
    );
    return;
  }
  ctx.print(
    `${dryRun ? "would republish" : "republished"} ${republished} dead letter(s) to ${CHECKOUT_EVENTS_TOPIC}${skipped > 0 ? `; skipped ${skipped} undecodable` : ""}`,
  );
}
