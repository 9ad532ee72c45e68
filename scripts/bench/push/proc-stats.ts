// Figures `push` reads from outside the processes it measures: /proc (RSS, CPU time, run-queue
// wait), Redis INFO commandstats, and the latency summary.
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { percentile, round } from '../util.ts';

/** Now, in ms, on process.hrtime (CLOCK_MONOTONIC: comparable across processes on one host). */
export const hrMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export function stats(xs: number[]): { n: number; p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number } {
  const s = xs.slice().sort((a, b) => a - b);
  return { n: s.length, p50Ms: round(percentile(s, 50)), p90Ms: round(percentile(s, 90)), p99Ms: round(percentile(s, 99)), maxMs: round(s[s.length - 1] ?? NaN) };
}

export type ProcSample = { rssMb: number; cpuMs: number } | undefined;

/** VmRSS (MB) and CPU time (ms, user + system) of a process, from /proc. */
export function procSample(pid: number): ProcSample {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    return { rssMb: rssKb / 1024, cpuMs: (ticks * 1000) / 100 };
  } catch {
    return undefined;
  }
}

/** INFO commandstats: calls per command. */
export async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const m of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

/** Time (ms) the process's main thread has waited on a run queue for a CPU (/proc/PID/schedstat, field 2). */
export function runQueueWaitMs(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return undefined;
  }
}
