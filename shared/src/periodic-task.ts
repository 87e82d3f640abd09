import type { Running } from "./lifecycle.js";

export interface PeriodicTaskOptions {
  /** Pause between the end of one run and the start of the next. */
  intervalMs: number;
  /** Delay of the first run; 0 (the default) starts it at once, before `startPeriodicTask` returns. */
  firstRunAfterMs?: number;
  /** Told about a run that threw; the schedule goes on. */
  onError: (err: unknown) => void;
}

/**
 * Every periodic loop of the system (sweepers, recovery, gauges, lag sampling): runs `task`,
 * then again `intervalMs` after each run ends, so runs never overlap and a slow run is not
 * followed by a burst. `stop` cancels the next run, signals the one in flight through
 * `stopping`, and waits for it. The timer does not keep the process alive on its own.
 */
export function startPeriodicTask(
  task: (stopping: AbortSignal) => Promise<void>,
  options: PeriodicTaskOptions,
): Running {
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  function run() {
    inFlight = (async () => {
      try {
        await task(stopping.signal);
      } catch (err) {
        options.onError(err);
      }
      if (!stopping.signal.aborted) schedule(options.intervalMs);
    })();
  }

  function schedule(delayMs: number) {
    timer = setTimeout(run, delayMs);
    timer.unref();
  }

  const firstRunAfterMs = options.firstRunAfterMs ?? 0;
  // At once means in this tick: a stop right after start still finds the first run in flight.
  if (firstRunAfterMs === 0) run();
  else schedule(firstRunAfterMs);
  return {
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      await inFlight;
    },
  };
}
