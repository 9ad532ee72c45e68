// Demo traffic for `npm start`: robot agent phones that answer and talk by themselves, and citizens
// calling every line at a pace the robots can serve within 15 s, with a busy-hour burst every few
// minutes that they cannot. The schedule is counted from an epoch the launcher chooses, so the
// service's softphone can show the same schedule (HOTLINE_DESK_DEMO) and it survives a restart of
// the service: only this process places calls.
import type { Switch } from './core/index.ts';

export interface DemoSchedule {
  /** Epoch ms the schedule is counted from (the first `npm start` of this run). */
  readonly epochMs: number;
  /** One caller every this many seconds outside the bursts. */
  readonly steadyEverySec: number;
  /** A burst every this many seconds... */
  readonly burstEverySec: number;
  /** ...the first this many seconds after the epoch... */
  readonly firstBurstSec: number;
  /** ...of this many callers, spread over burstSpreadSec. */
  readonly burstCalls: number;
  readonly burstSpreadSec: number;
}

/**
 * Sized for eight robots: each holds a call for ~1.8 s of ringing, 8-20 s of talk and the service's
 * 30 s wrap-up (~46 s in all), so one caller every 15 s keeps 3 of them busy on average and a
 * caller waits more than 12 s about once in 400 calls (Erlang C, 8 agents, 3.1 Erlangs). A burst of
 * 12 callers in 10 s finds about five robots free: the rest wait, most of them past 15 s.
 */
export const DEFAULT_SCHEDULE: Omit<DemoSchedule, 'epochMs'> = {
  steadyEverySec: 15,
  burstEverySec: 360,
  firstBurstSec: 180,
  burstCalls: 12,
  burstSpreadSec: 10,
};

/** Robot phones: answer after 1.0-2.5 s, talk 8-20 s, then hang up (the caller's side follows). */
export function robotBehaviour(index: number): { answerAfterMs: number; hangupAfterMs: number } {
  return { answerAfterMs: 1000 + (index % 4) * 500, hangupAfterMs: 8000 + (index % 5) * 3000 };
}

/** Callers on these numbers are elders (长者): the launcher's IVR flows list them as elderNumbers. */
export const DEMO_ELDER_NUMBERS = ['13900000001', '13900000002', '13900000003', '13900000004'] as const;

interface Line {
  readonly to: string;
  readonly weight: number;
  readonly elder?: boolean;
  readonly sipHeaders?: Record<string, string>;
}

// Every line the dialplan knows: 12345, 12345+7 (enterprise), elders on 12345, and 110 handing a
// case over (its headers percent-encoded UTF-8, as on the SIP wire: "邻里噪音" noise complaint).
const LINES: readonly Line[] = [
  { to: '12345', weight: 5 },
  { to: '12345', weight: 2, elder: true },
  { to: '123457', weight: 2 },
  { to: '12345110', weight: 1, sipHeaders: { 'X-110-Case-Id': 'DEMO-110-0001', 'X-110-Summary': '%E9%82%BB%E9%87%8C%E5%99%AA%E9%9F%B3' } },
];
const TOTAL_WEIGHT = LINES.reduce((s, l) => s + l.weight, 0);

/** The n-th caller's line: a fixed rotation, so every line gets calls within the first minutes. */
export function lineOf(n: number): Line {
  let pick = n % TOTAL_WEIGHT;
  return LINES.find((l) => (pick -= l.weight) < 0) ?? LINES[0]!;
}

/** When burst k (0, 1, ...) starts, in epoch ms. */
export function burstStartMs(s: DemoSchedule, k: number): number {
  return s.epochMs + (s.firstBurstSec + k * s.burstEverySec) * 1000;
}

export interface DemoTraffic {
  readonly schedule: DemoSchedule;
  /** Callers placed so far (steady and burst). */
  readonly placed: number;
  stop(): void;
}

export interface DemoOptions {
  readonly robots: readonly string[];
  readonly schedule: DemoSchedule;
  readonly now?: () => number;
}

export function startDemoTraffic(sw: Switch, opts: DemoOptions): DemoTraffic {
  const s = opts.schedule;
  const now = opts.now ?? Date.now;
  opts.robots.forEach((id, i) => sw.registerUser(id, robotBehaviour(i)));
  let n = 0;
  let elder = 0;
  const place = (): void => {
    const line = lineOf(n++);
    const caller = line.elder
      ? DEMO_ELDER_NUMBERS[elder++ % DEMO_ELDER_NUMBERS.length]!
      : `138${String(10_000_000 + ((n * 7_919) % 90_000_000)).padStart(8, '0')}`;
    sw.placeCall({
      from: caller,
      to: line.to,
      profile: 'external',
      ...(line.sipHeaders ? { sipHeaders: line.sipHeaders } : {}),
      // Patient citizens: most of a burst waits it out, a few give up.
      patienceMs: 45_000 + (n % 4) * 15_000,
      // A bound in case no robot ever hangs up (no service running): nobody stays on the line forever.
      hangupAfterMs: 300_000,
    });
  };

  const timers = new Set<NodeJS.Timeout>();
  const at = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, Math.max(0, ms));
    timers.add(t);
  };
  // Steady callers on the epoch's grid, so a restarted fsim keeps the same rhythm.
  const steadyMs = s.steadyEverySec * 1000;
  const steady = (): void => {
    place();
    at(steadyMs - ((now() - s.epochMs) % steadyMs), steady);
  };
  at(steadyMs - ((now() - s.epochMs) % steadyMs), steady);
  // Bursts: the next one from now on, then each following one.
  const burst = (k: number): void => {
    const step = (s.burstSpreadSec * 1000) / Math.max(1, s.burstCalls - 1);
    for (let i = 0; i < s.burstCalls; i++) at(i * step, place);
    at(burstStartMs(s, k + 1) - now(), () => burst(k + 1));
  };
  let k = 0;
  while (burstStartMs(s, k) < now()) k++;
  at(burstStartMs(s, k) - now(), () => burst(k));

  return {
    schedule: s,
    get placed() {
      return n;
    },
    stop: () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
