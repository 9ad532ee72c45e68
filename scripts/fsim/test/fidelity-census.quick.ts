// Fidelity: the per-call event census (27_census.json). The same call shape as the capture - a
// SIPp caller dials 9012: answer, 1 s tone, bridge to an agent UAS that answers after 1 s and hangs
// up after 3 s of talk - under `event json ALL`; fsim's events per call, per leg direction and per
// event name must match the census, and each leg's event sequence and header names must match the
// capture's first call in form. Also checks that every capture has a fidelity scenario.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { withCaptureFsim } from './helpers/capture-fsim.ts';
import { FIXTURES, eventsOf, loadCapture, parseMessages } from './helpers/capture.ts';
import type { CapturedEvent } from './helpers/capture.ts';
import { compareEvents } from './helpers/form.ts';
import { sleep } from './helpers/replay.ts';
import { SCENARIOS } from './helpers/fidelity-scenarios.ts';
import { EslTestClient } from './helpers/esl-test-client.ts';

interface Census {
  calls_placed: number;
  call_events_per_call: { mean: number; min: number; max: number };
  call_events_per_call_by_leg_direction: { inbound: number; outbound: number };
  count_per_event_name: Record<string, number>;
  events_not_tied_to_a_call: Record<string, number>;
}

const census = JSON.parse(readFileSync(path.join(FIXTURES, '27_census.json'), 'utf8')) as Census;
/** Events that are not about a call (the census counts none during its run). */
const NOT_CALL = new Set(['HEARTBEAT', 'RE_SCHEDULE', 'API', 'BACKGROUND_JOB']);

/**
 * Legs grouped into calls the census's way: the inbound (A) leg plus the legs whose
 * Other-Leg-Unique-ID / Channel-Call-UUID / variable_call_uuid / Bridge-A-Unique-ID point to it.
 */
function calls(events: readonly CapturedEvent[]): Map<string, Map<string, CapturedEvent[]>> {
  const legs = new Map<string, CapturedEvent[]>();
  for (const e of events) {
    const id = e.get('Unique-ID');
    if (!id || NOT_CALL.has(e.name)) continue;
    legs.set(id, [...(legs.get(id) ?? []), e]);
  }
  const out = new Map<string, Map<string, CapturedEvent[]>>();
  const aLegs = [...legs].filter(([, evs]) => evs.some((e) => e.get('Call-Direction') === 'inbound' && e.name === 'CHANNEL_CREATE'));
  for (const [id, evs] of aLegs) out.set(id, new Map([[id, evs]]));
  for (const [id, evs] of legs) {
    if (out.has(id)) continue;
    const parent = evs
      .flatMap((e) => [e.get('Other-Leg-Unique-ID'), e.get('Channel-Call-UUID'), e.get('variable_call_uuid'), e.get('Bridge-A-Unique-ID')])
      .find((p) => p && out.has(p));
    if (parent) out.get(parent)?.set(id, evs);
  }
  return out;
}

const direction = (evs: readonly CapturedEvent[]): string => evs.find((e) => e.get('Call-Direction'))?.get('Call-Direction') ?? '?';

t.test('27: events per call match the census for the same call shape', async (t) => {
  const N = 3;
  const fsim = await withCaptureFsim(t);
  // The agent UAS of the census (extension 9012 bridges to it).
  fsim.sw.registerUser('agent@127.0.0.1:5074', { answerAfterMs: 1000, hangupAfterMs: 3000 });
  const c = await EslTestClient.connect(fsim.eslPort);
  t.teardown(() => c.close());
  await c.command('auth ClueCon');
  await c.command('event json ALL');
  const uuids: string[] = [];
  for (let i = 0; i < N; i++) {
    uuids.push(fsim.sw.placeCall({ from: 'sipp', to: '9012' }));
    await sleep(10);
  }
  const done = (): boolean => {
    const n = eventsOf(parseMessages(c.received)).filter((e) => e.name === 'CHANNEL_DESTROY').length;
    return n >= 2 * N;
  };
  for (let i = 0; i < 400 && !done(); i++) await sleep(10);
  await sleep(50);
  const simCalls = calls(eventsOf(parseMessages(c.received)));
  t.equal(simCalls.size, N, `${N} calls seen`);

  const perCall = [...simCalls.values()].map((legs) => [...legs.values()].reduce((n, evs) => n + evs.length, 0));
  t.same(perCall, perCall.map(() => census.call_events_per_call.mean), `events per call (census: ${census.call_events_per_call.mean})`);
  for (const legs of simCalls.values()) {
    const byDir: Record<string, number> = {};
    for (const evs of legs.values()) byDir[direction(evs)] = (byDir[direction(evs)] ?? 0) + evs.length;
    t.same(byDir, census.call_events_per_call_by_leg_direction, 'events per leg direction');
  }
  const mix: Record<string, number> = {};
  for (const legs of simCalls.values()) for (const evs of legs.values()) for (const e of evs) mix[e.name] = (mix[e.name] ?? 0) + 1;
  const want = Object.fromEntries(Object.entries(census.count_per_event_name).map(([k, v]) => [k, (v / census.calls_placed) * N]));
  t.same(mix, want, 'event mix (census counts scaled to the calls placed)');

  // In form, leg by leg, against the capture's first call.
  const ref = calls(loadCapture('27_events_per_call_census').events);
  const refFirst = [...ref.values()][0];
  const simFirst = simCalls.get(uuids[0] ?? '');
  if (!refFirst || !simFirst) return t.fail('no first call');
  const flat = (legs: Map<string, CapturedEvent[]>): CapturedEvent[] => [...legs.values()].flat();
  const diffs = compareEvents(flat(refFirst), flat(simFirst));
  t.same(diffs, [], `first call in form (${diffs.length} differences)`);
});

t.test('every capture has a fidelity scenario', async (t) => {
  const captures = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => f.slice(0, -'.jsonl'.length));
  const covered = new Set(Object.values(SCENARIOS).flatMap((s) => s.connections.map((c) => c.capture)));
  t.same(captures.filter((c) => !covered.has(c)), [], 'captures without a scenario');
});
