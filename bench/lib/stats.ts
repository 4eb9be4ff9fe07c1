// Percentiles (nearest-rank) and a compact summary of a latency sample, in milliseconds.

export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface LatencySummary {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

export function summarize(values: number[]): LatencySummary {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.length ? Math.round(s.reduce((a, b) => a + b, 0) / s.length) : null;
  return { count: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s.at(-1) ?? null, mean };
}
