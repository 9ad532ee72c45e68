// Drives the switch model (core/Switch) directly, without ESL, and compares what it fires with a
// capture: the capture's own subscription (`event plain ...`) filters the simulated events, so a
// capture that only asked for CHANNEL_CREATE/ANSWER is compared on those.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Switch } from '../../src/core/switch.ts';
import type { SwitchOptions } from '../../src/core/switch.ts';
import { RealClock } from '../../src/core/clock.ts';
import type { FsEvent, RoutingInput, RoutingResult } from '../../src/types.ts';
import { FIXTURES, loadCapture, parseMessages } from './capture.ts';
import type { CapturedEvent } from './capture.ts';
import { compareEvents } from './form.ts';

const A = (application: string, data = ''): { application: string; data: string } => ({ application, data });

/** Context `default` of the capture box (fixtures/esl/README.md). */
export function captureRouter(i: RoutingInput): RoutingResult | undefined {
  const d = i.destinationNumber;
  const ext = (extension: string, ...actions: { application: string; data: string }[]): RoutingResult => ({ extension, actions });
  if (d === '9000') return ext('tone_2s', A('answer'), A('playback', 'tone_stream://%(1000,0,440);loops=2'), A('hangup', 'NORMAL_CLEARING'));
  if (d === '9001') return ext('answer_park', A('answer'), A('park'));
  if (d === '9002') return ext('outbound_socket', A('socket', '127.0.0.1:8084 async full'));
  if (d === '9003') return ext('tone_60s', A('answer'), A('playback', 'tone_stream://%(500,500,440);loops=60'));
  if (d === '9010') return ext('bridge_agent', A('set', 'hangup_after_bridge=true'), A('bridge', 'sofia/internal/agent@127.0.0.1:5070'));
  if (d === '9011') return ext('bridge_no_answer', A('set', 'hangup_after_bridge=true'), A('bridge', 'sofia/internal/agent@127.0.0.1:5071'));
  if (/^30\d\d$/.test(d)) return ext('conferences', A('conference', `${d}@default`));
  if (/^10[01]\d$/.test(d)) return ext('local_users', A('bridge', `user/${d}`));
  return undefined;
}

export interface Run {
  sw: Switch;
  events: FsEvent[];
}

/** A switch on a fast clock (timeScale 0.02: 1 s of switch time takes 20 ms) with the capture dialplan. */
export function mkSwitch(opts: SwitchOptions & { timeScale?: number } = {}): Run {
  const sw = new Switch({
    clock: new RealClock({ timeScale: opts.timeScale ?? 0.02 }),
    router: captureRouter,
    ...opts,
    config: { heartbeatSec: 0, ...opts.config },
  });
  const events: FsEvent[] = [];
  sw.onEvent((e) => events.push(e));
  return { sw, events };
}

export function toCaptured(evs: readonly FsEvent[]): CapturedEvent[] {
  return evs.map((e) => {
    const headers = e.headers.map(([k, v]) => [k, v] as [string, string]);
    return { name: e.name, headers, ...(e.body !== undefined ? { body: e.body } : {}), get: (n: string) => headers.find(([k]) => k === n)?.[1] };
  });
}

/** The capture's event subscription as a predicate (ALL, names, CUSTOM subclasses). */
export function subscriptionOf(name: string): (e: CapturedEvent) => boolean {
  const c2s = readFileSync(path.join(FIXTURES, `${name}.c2s.bin`), 'utf8');
  const names = new Set<string>();
  const subs = new Set<string>();
  for (const m of c2s.matchAll(/^event (?:plain|json|xml) (.*)$/gm)) {
    let custom = false;
    for (const w of (m[1] ?? '').trim().split(/\s+/)) {
      if (custom) subs.add(w);
      else if (w === 'CUSTOM') custom = true;
      else names.add(w);
    }
  }
  if (names.has('ALL')) return () => true;
  return (e) => names.has(e.name) || (e.name === 'CUSTOM' && subs.has(e.get('Event-Subclass') ?? ''));
}

/** Events the ESL layer or the clock produce, not the switch model's channel logic. */
const NOT_OURS = new Set(['BACKGROUND_JOB', 'HEARTBEAT', 'RE_SCHEDULE']);

/** Differences in form between the capture's events and the simulated ones (empty = match). */
export function diffWithCapture(name: string, simulated: readonly FsEvent[], opts: { ignore?: readonly string[] } = {}): string[] {
  const ignore = new Set([...NOT_OURS, ...(opts.ignore ?? [])]);
  const keep = subscriptionOf(name);
  const ref = loadCapture(name).events.filter((e) => !ignore.has(e.name));
  const sim = toCaptured(simulated).filter((e) => !ignore.has(e.name) && keep(e));
  return compareEvents(ref, sim);
}

/** api/response bodies of the capture, in order. */
export function apiReplies(name: string): string[] {
  return loadCapture(name).messages
    .filter((m) => m.headers.some(([k, v]) => k === 'Content-Type' && v === 'api/response'))
    .map((m) => m.body);
}

export { parseMessages };

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Wait (real time) until `pred` holds, at most `ms`. */
export async function until(pred: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) return false;
    await sleep(2);
  }
  return true;
}

/** Header value of a simulated event. */
export const hv = (e: FsEvent | undefined, n: string): string | undefined => e?.headers.find(([k]) => k === n)?.[1];
