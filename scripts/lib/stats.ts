/** Percentile by nearest rank over a sorted copy; NaN for no samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function summarize(label: string, samplesMs: number[]): string {
  const f = (v: number) => (Number.isNaN(v) ? "n/a" : `${v.toFixed(1)} ms`);
  return `${label.padEnd(34)} n=${String(samplesMs.length).padEnd(6)} p50 ${f(percentile(samplesMs, 50)).padEnd(10)} p95 ${f(percentile(samplesMs, 95)).padEnd(10)} p99 ${f(percentile(samplesMs, 99))}`;
}
