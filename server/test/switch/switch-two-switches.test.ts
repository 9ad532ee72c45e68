// Issue #15 item 4, more than one switch: two real FreeSWITCH instances joined by the project's
// inter-switch trunk, two service instances (one per switch) on one Redis. A caller on either switch
// is served by an agent registered on the other (the agent leg is originated on the caller's switch
// through gw_peer), no agent ever has two calls, FIFO holds across the switches per queue, and the
// SLA figures and CDRs count every call once, whichever switch it came in on.
//
// Real switch only: fsim models one switch, and the trunk between two (a SIP hop with its own
// profile, ACL and context) is exactly what this test is about.
import t from 'tap';
import { CENTER } from '../../src/sla/store.ts';
import { freeswitchAvailability } from './helpers/freeswitch.ts';
import { haveSipp } from './helpers/sipp.ts';
import { agentLegs, ready, startTwoSwitches, type SwitchName, type SwitchSide, type TwoSwitches } from './helpers/two-switches.ts';
import { until } from './helpers/world.ts';

const missing = !freeswitchAvailability().ok ? 'no FreeSWITCH bundle (set FREESWITCH_BIN)' : !haveSipp() ? 'sipp is not installed' : undefined;
if (missing && !process.env.CI) console.error(`\n!! SKIPPING the two-switch test (real switch only; fsim models one switch): ${missing}\n`);
t.test('two switches, two services, one Redis [fsim]', { skip: 'real switch only: fsim models one switch, not the trunk between two' }, () => undefined);

/** t0 as the switch reports it: the welcome prompt's execute-complete on the caller leg. */
const t0Of = (side: SwitchSide, uuid: string): number | undefined =>
  side.tap.of(uuid, 'CHANNEL_EXECUTE_COMPLETE').find((e) => e.get('Application') === 'playback' && /welcome/.test(e.get('Application-Data') ?? ''))?.tsUs;

async function answeredLeg(w: TwoSwitches, on: SwitchName, callId: string): Promise<ReturnType<typeof agentLegs>[number]> {
  return until(`an answered agent leg for ${callId.slice(0, 8)} on ${on}`, () => agentLegs(w.sides[on], callId).find((l) => l.answeredUs !== undefined), 30_000);
}

async function notReadyWhenBack(w: TwoSwitches, id: string): Promise<void> {
  const agents = w.sides.fs1.calls.acd.agents;
  await until(`agent ${id} ready again`, async () => (await agents.get(id))?.state === 'ready', 20_000);
  await agents.apply(id, { type: 'notReady', reason: 'training' }, 'test');
}

t.test('two switches, two services, one Redis [real]', { skip: missing && !process.env.CI ? missing : false, timeout: 120_000 }, async (t) => {
  if (missing) return void t.fail(`the real switch is required in CI: ${missing}`);
  const w = await startTwoSwitches(t, { env: { HOTLINE_ACD_WRAP_UP_SEC: '0', HOTLINE_SURVEY: '{"enabled":false}', HOTLINE_RECORDING_ENABLED: 'false' } });
  const phone = { answerAfterMs: 300, hangupAfterMs: 2500 };
  await w.addAgent('1020', 'fs1', phone);
  await w.addAgent('1021', 'fs2', phone);
  const placed: { on: SwitchName; uuid: string }[] = [];

  // 1. Cross-switch, both ways: the only ready agent's phone is on the other switch.
  for (const [on, agent] of [['fs1', '1021'], ['fs2', '1020']] as const) {
    await ready(w, agent, on);
    const c = w.call(`1380000020${placed.length}`, on);
    const uuid = await c.uuid();
    placed.push({ on, uuid });
    const leg = await answeredLeg(w, on, uuid);
    t.equal(leg.agentId, agent, `caller on ${on} served by agent ${agent}, whose phone is on the other switch`);
    t.ok(leg.viaPeer, `the agent leg is on ${on} and goes through the trunk (gw_peer)`);
    // The other switch's trunk leg is no call of its own: neither service opened one for it.
    for (const side of Object.values(w.sides)) {
      t.same(side.calls.registry.live().filter((c) => c.node !== on).map((c) => c.id), [], `service ${side.name} keeps no call on the agent's switch`);
      t.equal(side.calls.registry.get(uuid)?.node, on, `service ${side.name} knows the call as one of ${on}`);
    }
    await c.done;
    await notReadyWhenBack(w, agent);
  }

  // 2. FIFO across the switches: six callers, alternately on fs1 and fs2, 1.2 s apart, wait with no
  // agent ready; then the two agents (one per switch) are made ready and serve them all.
  const batch: { on: SwitchName; uuid: string }[] = [];
  for (let i = 0; i < 6; i++) {
    const on: SwitchName = i % 2 ? 'fs2' : 'fs1';
    const c = w.call(`1380000030${i}`, on);
    batch.push({ on, uuid: await c.uuid() });
    await new Promise((r) => setTimeout(r, 1200));
  }
  placed.push(...batch);
  const t0s = await Promise.all(batch.map((b) => until(`t0 of ${b.uuid.slice(0, 8)}`, () => t0Of(w.sides[b.on], b.uuid), 15_000)));
  t.same([...t0s].sort((a, b) => a - b), t0s, 'callers reached the queue in the order placed');
  // One agent, then the other a second later: offers then never start in the same millisecond on
  // the two switches, and their order on the switches' clocks (one host) is the claims' order.
  // The first caller is on fs1 and the first agent's phone on fs2: as the agents then free up in
  // turn and the callers alternate, each caller is served across the switches.
  await ready(w, '1021', 'fs2');
  await until('the first offer', () => agentLegs(w.sides[batch[0]!.on], batch[0]!.uuid).length > 0, 15_000);
  await new Promise((r) => setTimeout(r, 1000));
  await ready(w, '1020', 'fs1');
  const served = await Promise.all(batch.map((b) => answeredLeg(w, b.on, b.uuid)));
  const offeredAt = batch.map((b) => Math.min(...agentLegs(w.sides[b.on], b.uuid).map((l) => l.createdUs)));
  t.same([...offeredAt].sort((a, b) => a - b), offeredAt, 'offers followed t0 across both switches (FIFO per queue)');
  const cross = served.filter((l, i) => l.agentId !== (batch[i]!.on === 'fs1' ? '1020' : '1021')).length;
  t.ok(cross > 0, `${cross} of 6 callers were served across the switches`);
  t.same(new Set(served.map((l) => l.agentId)), new Set(['1020', '1021']), 'both agents served');

  // Wait for every call to end, then check no agent ever had two legs at once, on either switch.
  await until('every call over', () => Object.values(w.sides).every((s) => s.calls.registry.live().length === 0), 40_000);
  const byAgent = new Map<string, { from: number; to: number }[]>();
  for (const p of placed) {
    for (const l of agentLegs(w.sides[p.on], p.uuid)) {
      const list = byAgent.get(l.agentId) ?? [];
      list.push({ from: l.createdUs, to: l.endedUs ?? Number.MAX_SAFE_INTEGER });
      byAgent.set(l.agentId, list);
    }
  }
  let overlaps = 0;
  for (const legs of byAgent.values()) {
    legs.sort((a, b) => a.from - b.from);
    for (let i = 1; i < legs.length; i++) if (legs[i]!.from < legs[i - 1]!.to) overlaps++;
  }
  t.equal(overlaps, 0, 'no agent had two legs at once, across both switches');

  // 3. One SLA picture: both services read the same figures, every call counted once.
  const ids = new Set(placed.map((p) => p.uuid));
  const cdrIds = await until('a CDR per call', async () => {
    const entries = await w.redis.xrange(`${w.keyPrefix}:cdr`, '-', '+');
    const got = entries.map(([, f]) => f[1] ?? '');
    return got.length >= ids.size ? got : undefined;
  }, 20_000);
  t.equal(cdrIds.length, ids.size, 'one CDR per call: none twice, none for a trunk leg');
  t.same(new Set(cdrIds), ids, 'the CDRs are the callers placed on both switches');
  const snaps = await until('SLA counts every call', async () => {
    const s = await Promise.all(Object.values(w.sides).map((side) => side.calls.sla.snapshot(CENTER)));
    return s.every((x) => x.today.answered === ids.size) ? s : undefined;
  }, 20_000);
  for (const s of snaps) {
    t.equal(s.today.offered, ids.size, 'offered: every call of both switches, once');
    t.equal(s.today.answered, ids.size, 'answered: every call, once');
  }
  t.same(snaps[0]!.today, snaps[1]!.today, 'both services show the same picture');
});
