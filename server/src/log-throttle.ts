// Repeated identical failures, logged once per interval with a count. A switch that is down, a
// phone that keeps failing or a peer that keeps sending garbage can produce thousands of the same
// error a second; one line per interval says as much and keeps the logs (and the disk) usable.
//
// The first occurrence of a key is logged at once with count 1. Later ones within the interval are
// counted; when the interval ends (a timer, unref'd) one line carries how many there were, and a
// new interval starts, so a steady flood gives one line per interval.
import type { Logger } from 'pino';

export interface LogThrottleOptions {
  /** Default 10 s. */
  readonly intervalMs?: number;
  readonly now?: () => number;
  /** Keys tracked at once; the oldest is forgotten beyond it (keys may carry ids). Default 1000. */
  readonly maxKeys?: number;
}

type Level = 'info' | 'warn' | 'error';

interface Window {
  start: number;
  suppressed: number;
  last: { level: Level; obj: Record<string, unknown>; msg: string };
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class LogThrottle {
  private readonly windows = new Map<string, Window>();
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(
    private readonly log: Logger,
    opts: LogThrottleOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 10_000;
    this.now = opts.now ?? Date.now;
    this.maxKeys = opts.maxKeys ?? 1000;
  }

  info(key: string, obj: Record<string, unknown>, msg: string): void {
    this.note('info', key, obj, msg);
  }

  warn(key: string, obj: Record<string, unknown>, msg: string): void {
    this.note('warn', key, obj, msg);
  }

  error(key: string, obj: Record<string, unknown>, msg: string): void {
    this.note('error', key, obj, msg);
  }

  private note(level: Level, key: string, obj: Record<string, unknown>, msg: string): void {
    const now = this.now();
    const w = this.windows.get(key);
    if (w && now - w.start < this.intervalMs) {
      w.suppressed++;
      w.last = { level, obj, msg };
      w.timer ??= setTimeout(() => this.flush(key, true), Math.max(0, w.start + this.intervalMs - now)).unref();
      return;
    }
    if (w) this.flush(key, false);
    if (this.windows.size >= this.maxKeys) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.flush(oldest, false);
    }
    this.windows.set(key, { start: now, suppressed: 0, last: { level, obj, msg }, timer: undefined });
    this.log[level]({ ...obj, count: 1 }, msg);
  }

  /** Log what a window counted (if anything); `reopen`: a new interval starts if it counted some. */
  private flush(key: string, reopen: boolean): void {
    const w = this.windows.get(key);
    if (!w) return;
    clearTimeout(w.timer);
    w.timer = undefined;
    const now = this.now();
    if (w.suppressed > 0) this.log[w.last.level]({ ...w.last.obj, count: w.suppressed, windowMs: now - w.start }, `${w.last.msg} (repeated)`);
    if (reopen && w.suppressed > 0) {
      w.start = now;
      w.suppressed = 0;
    } else {
      this.windows.delete(key);
    }
  }
}
