import { createOutboxQueries } from "@checkout-saga/shared";
import { helpOption, jsonOption, parseAggregate, parseLimit, parseOptions, parseTime } from "./cli-args.js";
import type { CliContext } from "./cli-context.js";
import { formatRecord, recordJson } from "./format.js";
import { usage } from "./usage.js";

/** `list`: outbox rows, one per line. */
export async function listCommand(args: string[], ctx: CliContext): Promise<void> {
  const opts = parseOptions(
    args,
    {
      ...helpOption,
      ...jsonOption,
      pending: { type: "boolean" },
      aggregate: { type: "string" },
      type: { type: "string" },
      since: { type: "string" },
      limit: { type: "string" },
    },
    usage.list,
  );
  if (opts.help) return ctx.print(usage.list);
  const filter = {
    pending: opts.pending ?? false,
    aggregateId: opts.aggregate === undefined ? undefined : parseAggregate(opts.aggregate, usage.list),
    eventType: opts.type,
    since: opts.since === undefined ? undefined : parseTime(opts.since, "--since", usage.list),
    limit: parseLimit(opts.limit, 50, 10_000, usage.list),
  };
  const rows = await createOutboxQueries(ctx.sql()).list(filter);
  if (opts.json) return ctx.print(JSON.stringify(rows.map(recordJson)));
  for (const row of rows) ctx.print(formatRecord(row));
}
