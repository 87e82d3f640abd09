import { createOutboxQueries } from "@checkout-saga/shared";
import { helpOption, jsonOption, parseOptions } from "./cli-args.js";
import type { CliContext } from "./cli-context.js";
import { formatAge } from "./format.js";
import { usage } from "./usage.js";

/** `status`: the outbox's health at a glance. */
export async function statusCommand(args: string[], ctx: CliContext): Promise<void> {
  const opts = parseOptions(args, { ...helpOption, ...jsonOption }, usage.status);
  if (opts.help) return ctx.print(usage.status);
  const s = await createOutboxQueries(ctx.sql()).status();
  const ratePerSecond = s.publishedLastMinute / 60;
  if (opts.json) {
    ctx.print(
      JSON.stringify({
        pending: s.pending,
        oldest_pending_at: s.oldestPendingAt?.toISOString() ?? null,
        oldest_pending_age_seconds: s.oldestPendingAgeSeconds ?? null,
        last_published_id: s.lastPublishedId ?? null,
        last_published_at: s.lastPublishedAt?.toISOString() ?? null,
        published_last_minute: s.publishedLastMinute,
        published_last_5_minutes: s.publishedLast5Minutes,
        publish_rate_per_second: Number(ratePerSecond.toFixed(2)),
      }),
    );
    return;
  }
  const oldest =
    s.oldestPendingAt && s.oldestPendingAgeSeconds !== undefined
      ? `${formatAge(s.oldestPendingAgeSeconds)} (created ${s.oldestPendingAt.toISOString()})`
      : "-";
  const last = s.lastPublishedId ? `${s.lastPublishedId} (at ${s.lastPublishedAt?.toISOString()})` : "- (none yet)";
  ctx.print(`pending              ${s.pending}`);
  ctx.print(`oldest pending age   ${oldest}`);
  ctx.print(`last published id    ${last}`);
  ctx.print(
    `publish rate         ${ratePerSecond.toFixed(2)} events/s over the last minute (${s.publishedLastMinute}; ${s.publishedLast5Minutes} in 5 min)`,
  );
}
