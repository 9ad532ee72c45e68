// Simulated time for the switch. FreeSWITCH stamps events from its timer thread's cached clock,
// which ticks every 20 ms: all events fired within one tick share Event-Date-Timestamp, and
// consecutive values differ by multiples of ~20 000 us (a few us of jitter, e.g. ...848492 then
// ...848470 two seconds later). timeScale lets load runs go faster than real time while
// timestamps keep showing simulated time.

export interface Clock {
  /** Simulated wall time in microseconds, quantised to the 20 ms timer tick. */
  nowUs(): number;
  /** Wait `ms` of simulated time. Resolves early (without rejecting) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Run fn after `ms` of simulated time; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
  /** Run fn every `ms` of simulated time; returns a cancel function. */
  every(ms: number, fn: () => void): () => void;
}

export interface RealClockOptions {
  /** 0.1 = ten times faster than real time. Default 1. */
  timeScale?: number;
  /** Simulated start time in ms since the epoch (default: Date.now()). */
  startMs?: number;
  /** Real time source in ms (injectable for tests). */
  realNow?: () => number;
}

const TICK_US = 20_000;

export class RealClock implements Clock {
  private readonly scale: number;
  private readonly realStart: number;
  private readonly simStartUs: number;
  private readonly realNow: () => number;
  private readonly phaseUs: number;

  constructor(opts: RealClockOptions = {}) {
    this.scale = opts.timeScale && opts.timeScale > 0 ? opts.timeScale : 1;
    this.realNow = opts.realNow ?? (() => performance.timeOrigin + performance.now());
    this.realStart = this.realNow();
    this.simStartUs = Math.round((opts.startMs ?? Date.now()) * 1000);
    // Each FreeSWITCH process has its own tick phase (the captures show ...848 4xx us).
    this.phaseUs = this.simStartUs % TICK_US;
  }

  nowUs(): number {
    const elapsedUs = ((this.realNow() - this.realStart) * 1000) / this.scale;
    const raw = this.simStartUs + elapsedUs;
    const tick = Math.floor((raw - this.phaseUs) / TICK_US);
    // Deterministic jitter of a few us, as the real timer thread shows.
    const jitter = (tick * 7919) % 31;
    return tick * TICK_US + this.phaseUs + jitter;
  }

  private realMs(ms: number): number {
    return Math.max(0, ms * this.scale);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, this.realMs(ms));
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  after(ms: number, fn: () => void): () => void {
    const t = setTimeout(() => safe(fn), this.realMs(ms));
    return () => clearTimeout(t);
  }

  every(ms: number, fn: () => void): () => void {
    const t = setInterval(() => safe(fn), this.realMs(ms));
    return () => clearInterval(t);
  }
}

/**
 * Simulated time that does not depend on the host's timers: time stands still while the model has
 * work queued (promise chains, immediates) and jumps to the next timer when it is idle. Timers fire
 * strictly in deadline order (ties in scheduling order), so a test's event sequence is the same on
 * a loaded machine as on an idle one. Meant for tests that drive the switch model directly; with a
 * socket peer in the loop use RealClock (its I/O takes real time, which this clock ignores).
 */
export class VirtualClock implements Clock {
  private now: number;
  private readonly phaseUs: number;
  private timers: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;
  private running = false;

  constructor(opts: { startMs?: number } = {}) {
    this.now = Math.round((opts.startMs ?? Date.now()) * 1000);
    this.phaseUs = this.now % TICK_US;
  }

  nowUs(): number {
    const tick = Math.floor((this.now - this.phaseUs) / TICK_US);
    return tick * TICK_US + this.phaseUs + ((tick * 7919) % 31);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const cancel = this.after(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = (): void => {
        cancel();
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  after(ms: number, fn: () => void): () => void {
    const t = { at: this.now + Math.max(0, ms) * 1000, seq: this.seq++, fn };
    this.timers.push(t);
    this.kick();
    return () => {
      this.timers = this.timers.filter((x) => x !== t);
    };
  }

  every(ms: number, fn: () => void): () => void {
    let cancel: () => void = () => undefined;
    let stopped = false;
    const arm = (): void => {
      cancel = this.after(Math.max(1, ms), () => {
        if (stopped) return;
        safe(fn);
        arm();
      });
    };
    arm();
    return () => {
      stopped = true;
      cancel();
    };
  }

  /** Timers still waiting (for tests). */
  get pending(): number {
    return this.timers.length;
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    setImmediate(() => {
      this.loop().catch(() => undefined);
    });
  }

  private async loop(): Promise<void> {
    try {
      for (;;) {
        // Let every promise chain started by the last timer settle before time moves on.
        for (let i = 0; i < 4; i++) await new Promise<void>((r) => setImmediate(r));
        if (!this.timers.length) break;
        let next = this.timers[0];
        for (const t of this.timers) if (next && (t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
        if (!next) break;
        const n = next;
        this.timers = this.timers.filter((x) => x !== n);
        this.now = Math.max(this.now, n.at);
        safe(n.fn);
      }
    } finally {
      this.running = false;
      if (this.timers.length) this.kick();
    }
  }
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch {
    // timers must never throw into the event loop
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** Event-Date-Local / *_stamp variables: "2026-11-22 02:58:42" in the switch's local time zone. */
export function formatLocal(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
}

/** Event-Date-GMT: "Sun, 22 Nov 2026 02:58:42 GMT" (RFC 822 style, as switch_rfc822_date). */
export function formatGmt(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  return `${DAYS[d.getUTCDay()]}, ${p2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} GMT`;
}
