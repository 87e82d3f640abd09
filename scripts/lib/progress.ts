/**
 * What long work (downloads, builds, servers coming up) is doing and how far along it is.
 * On a terminal each running step is one line redrawn in place; elsewhere (CI logs, the stack
 * supervisor's log) plain lines: when a step starts or changes phase, at most every
 * `plainEveryMs` while it runs, and when it ends.
 */

/** One change to a step, as data: the stack supervisor serves these and `stack up` replays them. */
export type ProgressEvent =
  | { kind: "start"; id: number; name: string; text: string }
  | { kind: "update"; id: number; text?: string; bytes?: number; total?: number; percent?: number }
  | { kind: "end"; id: number; outcome: "done" | "failed"; text?: string }
  | { kind: "note"; name: string; text: string };

export interface ProgressStep {
  /** A new phase (`text`, shown at once) or a measure (bytes of `total` if known, or percent). */
  update(change: { text?: string; bytes?: number; total?: number; percent?: number }): void;
  done(text?: string): void;
  fail(text?: string): void;
}

export interface Progress {
  step(name: string, text: string): ProgressStep;
  /** Work found already done: one line, so a warm run says why it was quick. */
  cached(name: string, text: string): void;
  /** One line about `name` that is not a step of its own. */
  note(name: string, text: string): void;
  /** Feeds an event from another reporter (its ids are its own). */
  apply(event: ProgressEvent): void;
}

/** Where lines go: process.stderr, or a fake in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

interface StepState {
  name: string;
  text: string;
  started: number;
  bytes?: number;
  total?: number;
  percent?: number;
  lastPlain: number;
}

const SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

export function createProgress(
  options: {
    stream?: ProgressStream;
    now?: () => number;
    plainEveryMs?: number;
    /** Every event, as it happens (the supervisor keeps them for `stack up`). */
    onEvent?: (event: ProgressEvent) => void;
  } = {},
): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const plainEveryMs = options.plainEveryMs ?? 10_000;
  const tty = stream.isTTY === true;
  const active = new Map<number, StepState>();
  /** Ids of events applied from elsewhere → ours. */
  const foreign = new Map<number, number>();
  let nextId = 1;
  let drawn = 0;
  let frame = 0;
  let ticker: ReturnType<typeof setInterval> | undefined;

  const line = (s: StepState, mark = "") => `${mark}${s.name}: ${s.text}… ${measure(s, now())}`;

  /** TTY: the running steps' lines, redrawn below what has been printed for good. */
  const redraw = (permanent = "") => {
    // No width known (0 under some pseudo-terminals): assume a common one.
    const width = Math.max(20, (stream.columns || 100) - 1);
    const up = drawn > 0 ? `\x1b[${drawn}A` : "";
    const spin = SPINNER[frame % SPINNER.length];
    const rows = [...active.values()].map((s) => line(s, `${spin} `).slice(0, width));
    stream.write(`${up}\r\x1b[J${permanent}${rows.map((r) => `${r}\n`).join("")}`);
    drawn = rows.length;
  };
  const tick = () => {
    frame++;
    if (tty) return redraw();
    for (const s of active.values()) {
      if (now() - s.lastPlain >= plainEveryMs) plain(s);
    }
  };
  const plain = (s: StepState) => {
    s.lastPlain = now();
    stream.write(`${line(s)}\n`);
  };
  const syncTicker = () => {
    if (active.size > 0 && !ticker) {
      ticker = setInterval(tick, tty ? 100 : Math.min(1_000, plainEveryMs));
      // Progress never keeps a process alive.
      ticker.unref?.();
    } else if (active.size === 0 && ticker) {
      clearInterval(ticker);
      ticker = undefined;
    }
  };

  const emit = (event: ProgressEvent) => {
    options.onEvent?.(event);
    if (event.kind === "note") {
      const final = `${event.name}: ${event.text}\n`;
      if (tty) redraw(final);
      else stream.write(final);
    } else if (event.kind === "start") {
      const s = { name: event.name, text: event.text, started: now(), lastPlain: now() };
      active.set(event.id, s);
      if (tty) redraw();
      else stream.write(`${line(s)}\n`);
    } else if (event.kind === "update") {
      const s = active.get(event.id);
      if (!s) return;
      const { kind: _, id: __, ...change } = event;
      const newPhase = change.text !== undefined && change.text !== s.text;
      // A new phase starts its own measure.
      if (newPhase) Object.assign(s, { bytes: undefined, total: undefined, percent: undefined });
      Object.assign(s, change);
      if (tty) redraw();
      else if (newPhase) plain(s);
    } else {
      const s = active.get(event.id);
      if (!s) return;
      active.delete(event.id);
      if (event.text !== undefined) s.text = event.text;
      const failed = event.outcome === "failed";
      const mark = tty ? (failed ? "✗ " : "✓ ") : "";
      const how = failed ? `— failed after ${measure(s, now(), true)}` : `(${measure(s, now(), true)})`;
      const final = `${mark}${s.name}: ${s.text} ${how}\n`;
      if (tty) redraw(final);
      else stream.write(final);
    }
    syncTicker();
  };

  const stepFor = (id: number): ProgressStep => ({
    update: (change) => emit({ kind: "update", id, ...change }),
    done: (text) => emit({ kind: "end", id, outcome: "done", text }),
    fail: (text) => emit({ kind: "end", id, outcome: "failed", text }),
  });
  const start = (name: string, text: string) => {
    const id = nextId++;
    emit({ kind: "start", id, name, text });
    return id;
  };

  return {
    step: (name, text) => stepFor(start(name, text)),
    cached: (name, text) => emit({ kind: "note", name, text: `${text} (cached)` }),
    note: (name, text) => emit({ kind: "note", name, text }),
    apply(event) {
      if (event.kind === "note") return emit(event);
      if (event.kind === "start") {
        foreign.set(event.id, start(event.name, event.text));
        return;
      }
      const id = foreign.get(event.id);
      if (id === undefined) return;
      if (event.kind === "end") foreign.delete(event.id);
      emit({ ...event, id });
    },
  };
}

/** "41 MB of 60 MB, 38 s", "41 MB (total unknown), 38 s", "40 %, 3 s", "12 s"; once ended, no "of". */
function measure(s: StepState, at: number, ended = false): string {
  const parts: string[] = [];
  if (s.bytes !== undefined) {
    const of = s.total ? ` of ${mb(s.total)}` : " (total unknown)";
    parts.push(`${mb(s.bytes)}${ended ? "" : of}`);
  } else if (s.percent !== undefined && !ended) parts.push(`${Math.round(s.percent)} %`);
  parts.push(`${Math.round((at - s.started) / 1000)} s`);
  return parts.join(", ");
}

function mb(bytes: number): string {
  return bytes < 10 * 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.round(bytes / 1024 / 1024)} MB`;
}

/**
 * Runs `work` as one step: done with the text `work` returns (if any), failed if it throws
 * (the error goes on up, with its own message).
 */
export async function inStep<T>(
  progress: Progress,
  name: string,
  text: string,
  work: (step: ProgressStep) => Promise<T>,
  doneText?: (result: T) => string | undefined,
): Promise<T> {
  const step = progress.step(name, text);
  try {
    const result = await work(step);
    step.done(doneText?.(result));
    return result;
  } catch (err) {
    step.fail();
    throw err;
  }
}
