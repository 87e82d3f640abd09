import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createProgress, inStep, type ProgressEvent } from "../lib/progress.js";

/** A stream that keeps what it was given; `isTTY` picks the rendering. */
function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, columns: 200, writes, write: (text: string) => writes.push(text), text: () => writes.join("") };
}

const MB = 1024 * 1024;

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("progress off a terminal", () => {
  it("prints a line at the start, at most every 10 s while measures change, at a new phase and at the end", () => {
    const stream = fakeStream(false);
    const progress = createProgress({ stream });
    const step = progress.step("kafka", "fetching jars from Maven Central");
    step.update({ bytes: 5 * MB });
    vi.advanceTimersByTime(5_000);
    step.update({ bytes: 20 * MB });
    expect(stream.writes).toEqual(["kafka: fetching jars from Maven Central… 0 s\n"]);
    vi.advanceTimersByTime(5_000);
    step.update({ bytes: 41 * MB });
    vi.advanceTimersByTime(28_000);
    step.update({ text: "formatting storage" });
    vi.advanceTimersByTime(2_000);
    step.done("ready at 127.0.0.1:9092");

    expect(stream.text()).toBe(
      [
        "kafka: fetching jars from Maven Central… 0 s",
        "kafka: fetching jars from Maven Central… 20 MB (total unknown), 10 s",
        "kafka: fetching jars from Maven Central… 41 MB (total unknown), 20 s",
        "kafka: fetching jars from Maven Central… 41 MB (total unknown), 30 s",
        "kafka: formatting storage… 38 s",
        "kafka: ready at 127.0.0.1:9092 (40 s)",
        "",
      ].join("\n"),
    );
  });

  it("says cached in one line, and a failure with its time", async () => {
    const stream = fakeStream(false);
    const progress = createProgress({ stream });
    progress.cached("ferretdb", "v1.24.2 binary");
    const failing = inStep(progress, "redis", "starting", async () => {
      await new Promise((r) => setTimeout(r, 3_000));
      throw new Error("port taken");
    });
    const outcome = expect(failing).rejects.toThrow("port taken");
    await vi.advanceTimersByTimeAsync(3_000);
    await outcome;

    expect(stream.text()).toBe(
      ["ferretdb: v1.24.2 binary (cached)", "redis: starting… 0 s", "redis: starting — failed after 3 s", ""].join(
        "\n",
      ),
    );
  });
});

describe("progress on a terminal", () => {
  it("redraws one line per running step in place, and leaves each finished one above them", () => {
    const stream = fakeStream(true);
    const progress = createProgress({ stream });
    const kafka = progress.step("kafka", "fetching jars");
    const ferret = progress.step("ferretdb", "go build");
    kafka.update({ bytes: 3 * MB, total: 6 * MB });
    vi.advanceTimersByTime(1_000);
    ferret.done();

    // ESC shown as "^" so the expectations read as what a terminal is told.
    const last = (n: number) => stream.writes.at(-n)!.replaceAll("\x1b", "^");
    // The spinner moves every 100 ms; each redraw goes back up over the lines it drew before.
    expect(last(2)).toMatch(
      /^\^\[2A\r\^\[J. kafka: fetching jars… 3\.0 MB of 6\.0 MB, 1 s\n. ferretdb: go build… 1 s\n$/,
    );
    expect(last(1)).toMatch(
      /^\^\[2A\r\^\[J✓ ferretdb: go build \(1 s\)\n. kafka: fetching jars… 3\.0 MB of 6\.0 MB, 1 s\n$/,
    );
    expect(stream.writes.filter((w) => w.includes("kafka")).length).toBeGreaterThan(9);
  });
});

describe("events", () => {
  it("are replayed by another reporter as its own steps", () => {
    const events: ProgressEvent[] = [];
    const source = createProgress({ stream: fakeStream(false), onEvent: (e) => events.push(e) });
    const step = source.step("postgres", "starting");
    step.update({ percent: 50 });
    step.done("ready");
    source.cached("kafka", "jars");

    const stream = fakeStream(false);
    const replica = createProgress({ stream });
    for (const e of events) replica.apply(e);
    expect(stream.text()).toBe(
      ["postgres: starting… 0 s", "postgres: ready (0 s)", "kafka: jars (cached)", ""].join("\n"),
    );
  });
});
