// The service's own free -> offer figure (hotline_acd_free_to_offer_seconds, router.ts), read from
// its metrics listener over the measured window: the counts per bucket at the end minus those at
// the start. A histogram gives bounds, not exact percentiles: p50/p99 here are the upper bound of
// the bucket the percentile falls in.

export interface Buckets {
  /** Cumulative count per upper bound (seconds; Infinity for +Inf). */
  readonly le: Map<number, number>;
}

const NAME = 'hotline_acd_free_to_offer_seconds';

export async function readFreeToOffer(metricsUrl: string): Promise<Buckets> {
  const text = await (await fetch(metricsUrl)).text();
  const le = new Map<number, number>();
  for (const m of text.matchAll(new RegExp(`^${NAME}_bucket\\{le="([^"]+)"\\} (\\d+)$`, 'gm'))) le.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
  return { le };
}

export interface BucketPct {
  n: number;
  /** Upper bounds of the buckets holding the 50th and 99th percentiles (ms; null: above the last bound). */
  p50AtMostMs: number | null;
  p99AtMostMs: number | null;
}

export function windowPct(start: Buckets, end: Buckets): BucketPct {
  const bounds = [...end.le.keys()].sort((a, b) => a - b);
  const count = (le: number): number => (end.le.get(le) ?? 0) - (start.le.get(le) ?? 0);
  const n = count(Infinity);
  const at = (q: number): number | null => {
    const bound = bounds.find((b) => count(b) >= q * n);
    return bound === undefined || bound === Infinity ? null : Math.round(bound * 1000 * 100) / 100;
  };
  return { n, p50AtMostMs: n ? at(0.5) : null, p99AtMostMs: n ? at(0.99) : null };
}
