import type { Running } from "@checkout-saga/shared";

/**
 * Runs `task` at once and then `intervalMs` after each run ends (never two at a time). A run
 * that throws is reported to `onError` and the schedule goes on; `stop` cancels the next run,
 * signals the one in flight through `stopping`, and waits for it.
 */
export function startPeriodicTask(
  task: (stopping: AbortSignal) => Promise<void>,
  options: { intervalMs: number; onError: (err: unknown) => void },
): Running {
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  function schedule(delayMs: number) {
    timer = setTimeout(() => {
      inFlight = task(stopping.signal)
        .catch(options.onError)
        .finally(() => {
          if (!stopping.signal.aborted) schedule(options.intervalMs);
        });
    }, delayMs);
  }

  schedule(0);
  return {
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      await inFlight;
    },
  };
}
