// Small helpers shared by the benchmarks.

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

/** The p-th percentile (nearest rank) of an ascending array; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A progress logger to stderr, prefixed with the benchmark's name. */
export const benchLog =
  (bench: string) =>
  (m: string): void =>
    console.error(`${bench}: ${m}`);
