/**
 * An in-process doorbell: whoever commits an outbox row (see writeOutboxMessage) rings it after
 * the commit, so this process's relay publishes at once instead of at its next poll. Rows other
 * processes commit are found by the relay's poll.
 */
export interface OutboxSignal {
  notify(): void;
  /** Resolves on the next notify (or at once if one came since the last wait), or after `ms`. */
  wait(ms: number): Promise<void>;
}

/** One doorbell per relay: the relay waits on it, the process's writers ring it. */
export function createOutboxSignal(): OutboxSignal {
  let rung = false;
  let wake: (() => void) | undefined;
  return {
    notify() {
      rung = true;
      wake?.();
    },
    wait(ms) {
      if (rung) {
        rung = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wake = undefined;
          rung = false;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wake = done;
      });
    },
  };
}
