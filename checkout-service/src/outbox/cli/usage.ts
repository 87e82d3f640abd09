/** Usage text per command; bad arguments print the command's own, with exit code 2. */
export const usage = {
  main: `usage: npm run outbox -- <command> [options]

Inspect and operate the checkout service's transactional outbox.

commands:
  status                    pending count, oldest pending age, last published id, publish rate
  list                      outbox rows, one per line
  replay                    re-publish already-published events (same event id: consumers dedupe)
  dead-letters list         messages parked on checkout-events.dlq
  dead-letters republish    send dead letters back to checkout-events once the cause is fixed

Every command takes --help and --json (machine output on stdout).

Which system: with neither CHECKOUT_DATABASE_URL nor KAFKA_BROKERS set, the running local
one, named in a line on stderr ("outbox: using the running stack (.data/stack): …"):
  the stack (npm run stack -- up; STACK_DIR, default .data/stack): the checkout database as
      checkout_service, Kafka as the user outbox-cli
  else npm start (DATA_DIR, default .data): its checkout database; no Kafka (its events stay
      inside that process: replay goes through its relay, dead-letters is not available)
Nothing running is an error saying how to start one. Setting either variable below uses the
environment alone.

environment:
  CHECKOUT_DATABASE_URL     the checkout service's database (required by status, list, replay)
  KAFKA_BROKERS             host:port[,host:port…] (required by dead-letters; see replay --help)
  KAFKA_USERNAME            the Kafka user to authenticate as (SASL); unset: anonymous
  KAFKA_PASSWORD            its password (required with KAFKA_USERNAME)
  KAFKA_SASL_MECHANISM      scram-sha-256 (default), scram-sha-512 or plain

exit codes: 0 done, 1 failed (the reason on stderr), 2 bad arguments or settings`,

  status: `usage: npm run outbox -- status [--json]

Prints how many rows wait for the relay, how old the oldest of them is, the last published
row's id and time, and how many rows were published in the last minute and 5 minutes.`,

  list: `usage: npm run outbox -- list [--pending] [--aggregate ID] [--type T] [--since ISO] [--limit N] [--json]

Outbox rows, one per line: id, created at, published at (or "pending"), event type,
aggregate (checkout) id, key (user id), event id.

  --pending        only rows the relay has not published yet, oldest first
                   (without it: every row, newest first)
  --aggregate ID   only this checkout's events (a UUID)
  --type T         only this event type, e.g. CheckoutCompleted
  --since ISO      only rows created at or after this time, e.g. 2026-11-02T10:00:00Z
  --limit N        at most N rows (default 50, at most 10000)`,

  replay: `usage: npm run outbox -- replay (--id N | --from-id A --to-id B | --aggregate ID | --since ISO [--until ISO])
                            [--type T] [--dry-run] [--json]

Re-publishes already-published events with their original event id, key and headers, in id
order, so consumers that saw them dedupe and consumers that missed them catch up. Rows not yet
published are skipped (the relay sends them anyway). Prints every event it sent.

  --id N                 one row
  --from-id A --to-id B  rows A..B, both included
  --aggregate ID         every event of one checkout (a UUID)
  --since ISO            rows created at or after ISO, before --until ISO if given
  --type T               only this event type
  --dry-run              print what would be sent; send nothing

With KAFKA_BROKERS set, the events go straight to Kafka (acked by the broker before this
prints them). Without it (embedded mode, where the bus lives inside the running system and no
other process can reach it) the rows are marked unpublished instead, and the running checkout
service's relay sends them again within its poll interval.`,

  deadLetters: `usage: npm run outbox -- dead-letters <list|republish> [options]

  list                       messages on checkout-events.dlq
  republish [--dry-run]      send pending dead letters back to checkout-events

Needs KAFKA_BROKERS (in embedded mode dead letters stay in the running process: the service
logs each, and GET /api/v1/admin/dead-letters lists them).`,

  deadLettersList: `usage: npm run outbox -- dead-letters list [--all] [--limit N] [--json]

Messages parked on checkout-events.dlq, oldest first: dlq partition/offset, event id and type,
key, the consumer group that gave up, attempts, where it came from, and the error.

  --all        include dead letters already republished (default: pending ones only)
  --limit N    at most N entries (default 100)`,

  deadLettersRepublish: `usage: npm run outbox -- dead-letters republish [--dry-run] [--json]

Sends every pending dead letter back to its original topic (checkout-events) with its
original key, value and headers, then commits the consumer group "outbox-cli-dead-letters"
past it, so a second run does not send it again. Every consumer group sees it again; groups
that handled it already dedupe by event id. A message that fails again is dead-lettered again
and shows up as pending for the next run. Messages that never decoded are skipped (a retry
cannot fix them) and reported.

  --dry-run    print what would be sent; send and commit nothing`,
} as const;
