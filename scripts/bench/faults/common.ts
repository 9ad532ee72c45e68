// What every fault of `npm run bench -- faults` shares: a teardown scope (the test helpers take
// tap's `{ teardown(fn) }`; here the bench runs them itself, last-in first-out), the checks a fault
// records instead of asserting, robot agents on fsim, and the double-assignment count read from the
// switch's own events (FsimLog).
import type { Registry } from 'prom-client';
import type { Fsim } from '../../fsim/src/fsim.ts';
import type { CallControl } from '../../../server/src/call-control.ts';
import { FsimLog } from '../../../server/test/helpers/fsim-log.ts';
import { benchLog } from '../util.ts';

export const log = benchLog('faults');

/** Env of a routing-only service: survey and recording off (their own tests cover them), no wrap-up. */
export const ROUTING_ENV = { HOTLINE_ACD_WRAP_UP_SEC: '0', HOTLINE_SURVEY: '{"enabled":false}', HOTLINE_RECORDING_ENABLED: 'false' };

/** The teardown hooks a fault registers (helpers from server/test take this shape). */
export class Scope {
  private readonly hooks: (() => unknown)[] = [];

  teardown(fn: () => unknown): void {
    this.hooks.push(fn);
  }

  async close(): Promise<void> {
    for (const fn of this.hooks.reverse()) {
      try {
        await fn();
      } catch (err) {
        log(`teardown: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.hooks.length = 0;
  }
}

/** Named checks: a fault records what failed instead of throwing at the first one. */
export class Checks {
  readonly failed: string[] = [];

  check(ok: boolean, what: string): boolean {
    if (!ok) {
      this.failed.push(what);
      log(`CHECK FAILED: ${what}`);
    }
    return ok;
  }
}

export interface FaultOutcome {
  passed: boolean;
  /** What the fault measured. */
  figures: Record<string, unknown>;
  /** The checks that failed (empty when passed). */
  failed: string[];
  seconds: number;
}

export interface FaultModule {
  readonly name: string;
  readonly description: string;
  /** Fills `figures` and records checks; a throw counts as a failed check. */
  run(scope: Scope, checks: Checks, figures: Record<string, unknown>, opts: FaultOptions): Promise<void>;
}

export interface FaultOptions {
  /** Callers queued when the service is killed (kill-9). */
  callers: number;
  /** Routings to do with two instances (two-instances). */
  routings: number;
  /** Time budget for the two-instance routings, seconds: the count reached is reported. */
  routingsMaxS: number;
}

/** Poll until fn returns a value (not undefined/false), or undefined after ms (no throw). */
export async function waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, ms: number, everyMs = 25): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Robot agents: an fsim phone each (answer, talk, hang up, in simulated ms), created and logged in. */
export async function robotAgents(
  fsim: Fsim,
  calls: CallControl,
  n: number,
  phone: { answerAfterMs: number; hangupAfterMs: number },
  announce: (id: string) => void = (id) => calls.acd.agentBecameReady(id),
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = String(1000 + i);
    fsim.sw.registerUser(id, phone);
    await calls.acd.agents.create({ id, name: `坐席${id}`, phone: `user/${id}`, skills: { general: 5 } });
    await calls.acd.agents.apply(id, { type: 'login' }, 'bench');
    announce(id);
    ids.push(id);
  }
  return ids;
}

/** Agents not back to ready once every call is over (wrap-up 0): stuck in reserved / on-call / wrap-up. */
export async function stuckAgents(calls: CallControl, ids: readonly string[]): Promise<string[]> {
  const all = await calls.acd.agents.list();
  return all.filter((a) => ids.includes(a.id) && a.state !== 'ready').map((a) => `${a.id}:${a.state}`);
}

/** Which legs the switch bridged to which (CHANNEL_BRIDGE, both directions), from fsim's own events. */
export function bridgeLog(fsim: Fsim): { bridged: Map<string, Set<string>>; close(): void } {
  const bridged = new Map<string, Set<string>>();
  const add = (a: string, b: string) => bridged.set(a, (bridged.get(a) ?? new Set()).add(b));
  const close = fsim.sw.onEvent((ev) => {
    if (ev.name !== 'CHANNEL_BRIDGE') return;
    const get = (k: string) => ev.headers.find(([name]) => name === k)?.[1];
    const a = get('Unique-ID');
    const b = get('Other-Leg-Unique-ID');
    if (a && b) {
      add(a, b);
      add(b, a);
    }
  });
  return { bridged, close };
}

/** What every routing fault watches on the switch: fsim's call log and its bridges, closed with the scope. */
export function watchSwitch(scope: Scope, fsim: Fsim): { fl: FsimLog; bridges: ReturnType<typeof bridgeLog> } {
  const fl = new FsimLog(fsim);
  scope.teardown(() => fl.close());
  const bridges = bridgeLog(fsim);
  scope.teardown(() => bridges.close());
  return { fl, bridges };
}

/** Served: the switch bridged the caller to one of the agent legs offered for it (an answer alone may be a ghost). */
export const servedBy = (log: FsimLog, bridges: { bridged: Map<string, Set<string>> }, callerId: string): boolean =>
  [...(bridges.bridged.get(callerId) ?? [])].some((leg) => log.agentLegs.get(leg)?.callId === callerId);

/**
 * Double assignments seen by the switch: a caller bridged to two agent legs, a phone with two
 * legs at once. An agent leg that answered but was never bridged (an offer lost in a fault and
 * killed) is counted apart as a ghost: the agent answered nobody, the caller had one agent.
 */
export function doubleAssignments(log: FsimLog, bridges: { bridged: Map<string, Set<string>> }): { callersWithTwoAgents: number; maxLegsPerPhone: number; ghostAnswers: number; callersBridged: number } {
  const perCaller = new Map<string, number>();
  let ghostAnswers = 0;
  for (const leg of log.agentLegs.values()) {
    if (bridges.bridged.get(leg.uuid)?.has(leg.callId)) perCaller.set(leg.callId, (perCaller.get(leg.callId) ?? 0) + 1);
    else if (leg.answeredUs !== undefined) ghostAnswers++;
  }
  return { callersWithTwoAgents: [...perCaller.values()].filter((n) => n > 1).length, maxLegsPerPhone: log.maxConcurrentLegsPerAgent(), ghostAnswers, callersBridged: perCaller.size };
}

/** The figures and checks every routing fault shares: no double assignment, every answer bridged. */
export function checkAssignments(fig: Record<string, unknown>, checks: Checks, log: FsimLog, bridges: { bridged: Map<string, Set<string>> }, served: number): void {
  const d = doubleAssignments(log, bridges);
  fig.doubleAssignments = d.callersWithTwoAgents + (d.maxLegsPerPhone > 1 ? 1 : 0);
  fig.ghostAnswers = d.ghostAnswers;
  fig.callersBridgedToAnAgent = d.callersBridged;
  checks.check(d.callersBridged === served, 'every caller answered was bridged to its agent (the bridge count matches)');
  checks.check(fig.doubleAssignments === 0, 'no caller given two agents, no phone with two calls');
}

/** Agents left stuck once every call is over, as a figure and a check. */
export async function checkStuck(fig: Record<string, unknown>, checks: Checks, calls: CallControl, ids: readonly string[]): Promise<void> {
  const stuck = await stuckAgents(calls, ids);
  fig.stuckAgents = stuck.length;
  checks.check(stuck.length === 0, `no agent stuck after the calls ended${stuck.length ? `: ${stuck.slice(0, 5).join(', ')}` : ''}`);
}

/**
 * ESL commands that hung: answered (or failed) after more than 2.5 s, which with the 5 s command
 * timeout means timed out. Read from the service's hotline_esl_command_duration_seconds histogram,
 * so every api/bgapi the service sent counts, whatever module sent it.
 */
export async function slowCommands(metrics: Registry): Promise<{ total: number; over2_5s: number }> {
  const m = metrics.getSingleMetric('hotline_esl_command_duration_seconds');
  if (!m) return { total: 0, over2_5s: 0 };
  const values = (await m.get()).values as { labels: Record<string, string | number>; value: number; metricName?: string }[];
  let total = 0;
  let within = 0;
  for (const v of values) {
    if (v.metricName?.endsWith('_count')) total += v.value;
    if (v.metricName?.endsWith('_bucket') && Number(v.labels.le) === 2.5) within += v.value;
  }
  return { total, over2_5s: total - within };
}

/** Place a call from the carrier to 12345 on fsim, directly on the switch (no HTTP per call). */
export const placeCaller = (fsim: Fsim, n: number): string => fsim.sw.placeCall({ from: `139${String(n).padStart(8, '0')}`, to: '12345', profile: 'external' });

/** Where callers not answered stand (first five), so a failure says what went wrong. */
export async function describeLost(calls: CallControl, fl: FsimLog, ids: readonly string[]): Promise<Record<string, unknown>[]> {
  const queued = new Set(await calls.queues.list('general'));
  return ids.slice(0, 5).map((id) => {
    const c = fl.callers.get(id);
    return {
      service: calls.registry.get(id)?.state ?? 'unknown',
      inQueue: queued.has(id),
      switch: { t0: c?.t0Us !== undefined, waiting: c?.waitingUs !== undefined, offers: c?.offers.length ?? 0, hangupCause: c?.hangupCause ?? null },
    };
  });
}
