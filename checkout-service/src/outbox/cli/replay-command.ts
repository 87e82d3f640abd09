import {
  createKafkaEventBus,
  createLogger,
  createOutboxQueries,
  type EventPublisher,
  type OutboxEvent,
  type OutboxReplaySelector,
} from "@checkout-saga/shared";
import { helpOption, jsonOption, parseAggregate, parseId, parseOptions, parseTime, UsageError } from "./cli-args.js";
import type { CliContext } from "./cli-context.js";
import { formatRecord, recordJson } from "./format.js";
import { usage } from "./usage.js";

/** Rows read, sent and committed per round: bounded memory however many rows match. */
const REPLAY_BATCH = 500;

/**
 * `replay`: re-publishes already-published rows with their original event id. With Kafka
 * brokers configured it sends them itself; without (embedded mode) it marks them unpublished
 * for the running relay.
 */
export async function replayCommand(args: string[], ctx: CliContext): Promise<void> {
  const opts = parseOptions(
    args,
    {
      ...helpOption,
      ...jsonOption,
      id: { type: "string" },
      "from-id": { type: "string" },
      "to-id": { type: "string" },
      aggregate: { type: "string" },
      since: { type: "string" },
      until: { type: "string" },
      type: { type: "string" },
      "dry-run": { type: "boolean" },
    },
    usage.replay,
  );
  if (opts.help) return ctx.print(usage.replay);
  const selector = parseSelector(opts);
  const dryRun = opts["dry-run"] ?? false;
  const kafka = ctx.config.kafka();
  const queries = createOutboxQueries(ctx.sql());
  const via = kafka
    ? `kafka ${kafka.brokers.join(",")}`
    : "the running relay (KAFKA_BROKERS not set: rows marked unpublished)";
  const verb = dryRun ? "would replay" : kafka ? "sent" : "queued";

  const bus = kafka && !dryRun ? createKafkaEventBus({ ...kafka, clientId: "outbox-cli", logger: quiet() }) : undefined;
  const sent: OutboxEvent[] = [];
  let skippedPending = 0;
  try {
    for (let afterId = "0"; ; ) {
      const batch = await queries.replayBatch(selector, { eventType: opts.type, afterId, limit: REPLAY_BATCH });
      if (batch.length === 0) break;
      afterId = batch[batch.length - 1]!.id;
      const published = batch.filter((e) => e.publishedAt !== undefined);
      skippedPending += batch.length - published.length;
      if (!dryRun && published.length > 0) {
        if (bus) await publishInOrder(bus, published);
        else await queries.requeue(published.map((e) => e.id));
      }
      sent.push(...published);
      if (!opts.json) for (const e of published) ctx.print(`${verb}  ${formatRecord(e)}`);
    }
  } finally {
    await bus?.close();
  }

  if (selector.kind === "id" && sent.length === 0) {
    throw new Error(
      skippedPending > 0
        ? `outbox row ${selector.id} is not published yet: the relay will send it, there is nothing to replay`
        : `no outbox row with id ${selector.id}${opts.type ? ` and type ${opts.type}` : ""}`,
    );
  }
  const skippedNote = skippedPending > 0 ? `; skipped ${skippedPending} not yet published (the relay sends those)` : "";
  if (opts.json) {
    ctx.print(
      JSON.stringify({
        dry_run: dryRun,
        via: kafka ? "kafka" : "relay",
        count: sent.length,
        skipped_pending: skippedPending,
        events: sent.map(recordJson),
      }),
    );
  } else {
    ctx.print(`${verb} ${sent.length} event(s) via ${via}${skippedNote}`);
  }
}

/** One publish call per topic, in id order (per-key order is the relay's order). */
async function publishInOrder(bus: EventPublisher, events: OutboxEvent[]) {
  let start = 0;
  while (start < events.length) {
    const topic = events[start]!.topic;
    let end = start;
    while (end < events.length && events[end]!.topic === topic) end++;
    await bus.publish(
      topic,
      events.slice(start, end).map((e) => e.message),
    );
    start = end;
  }
}

function parseSelector(opts: {
  id?: string;
  "from-id"?: string;
  "to-id"?: string;
  aggregate?: string;
  since?: string;
  until?: string;
}): OutboxReplaySelector {
  const given = [
    opts.id !== undefined,
    opts["from-id"] !== undefined || opts["to-id"] !== undefined,
    opts.aggregate !== undefined,
    opts.since !== undefined,
  ].filter(Boolean).length;
  if (given !== 1) {
    throw new UsageError("give exactly one of --id, --from-id/--to-id, --aggregate, --since", usage.replay);
  }
  if (opts.until !== undefined && opts.since === undefined) {
    throw new UsageError("--until needs --since", usage.replay);
  }
  if (opts.id !== undefined) return { kind: "id", id: parseId(opts.id, "--id", usage.replay) };
  if (opts.aggregate !== undefined)
    return { kind: "aggregate", aggregateId: parseAggregate(opts.aggregate, usage.replay) };
  if (opts.since !== undefined) {
    const since = parseTime(opts.since, "--since", usage.replay);
    const until = opts.until === undefined ? undefined : parseTime(opts.until, "--until", usage.replay);
    if (until && until <= since) throw new UsageError("--until must be after --since", usage.replay);
    return { kind: "time", since, until };
  }
  if (opts["from-id"] === undefined || opts["to-id"] === undefined) {
    throw new UsageError("--from-id and --to-id go together", usage.replay);
  }
  const fromId = parseId(opts["from-id"], "--from-id", usage.replay);
  const toId = parseId(opts["to-id"], "--to-id", usage.replay);
  if (BigInt(fromId) > BigInt(toId)) throw new UsageError("--from-id must not be above --to-id", usage.replay);
  return { kind: "range", fromId, toId };
}

/** kafkajs failures surface as rejected calls, reported by the runner; logs would only clutter stdout. */
const quiet = () => createLogger("outbox-cli", { level: "silent" });
