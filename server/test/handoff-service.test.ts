// Handoffs with partner hotlines on a real Redis: announcement, matching an incoming call (case id,
// caller number within the window, unannounced), following it through ringing, answered and
// ended, the outcome back to the partner, take-back, the unanswered warning, and the day's
// diversion figures checked against counts this test keeps on its own.
import t from 'tap';
import { Redis } from 'ioredis';
import pino from 'pino';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import type { CallRecord } from '../src/calls/call-record.ts';
import { announceSchema, type Handoff } from '../src/handoff/handoff.ts';
import { DEFAULT_PARTNERS, partnersFor, partnersSchema } from '../src/handoff/partners.ts';
import { HandoffError, HandoffService } from '../src/handoff/service.ts';
import { HandoffStore } from '../src/store/handoff-store.ts';
import { redisKeys } from '../src/store/keys.ts';

const DAY0 = Date.parse('2026-12-06T01:00:00Z'); // 09:00 in Beijing

async function setup(t: { teardown(fn: () => unknown): void }, prefix: string) {
  const r = await withRedis(t);
  const redis = new Redis(r.url);
  t.teardown(() => redis.quit());
  let clock = DAY0;
  let n = 0;
  const changes: Handoff[] = [];
  const outcomes: Handoff[] = [];
  const returned: string[] = [];
  const svc = new HandoffService({
    partners: partnersSchema.parse(DEFAULT_PARTNERS),
    settings: { matchWindowSec: 300, answerWarnSec: 30 },
    store: new HandoffStore(redis, redisKeys(prefix)),
    now: () => clock,
    newId: () => `h${++n}`,
    dayOf: (ms) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10),
    logger: pino({ level: 'silent' }),
    onChange: (h) => void changes.push(structuredClone(h)),
    sendOutcome: (h) => void outcomes.push(h),
    positionOf: async () => 1,
    returnCall: async (callId) => void returned.push(callId),
  });
  return { svc, changes, outcomes, returned, advance: (ms: number) => (clock += ms), now: () => clock };
}

const announce = (caseId: string, callerNumber: string, partner = '110') =>
  announceSchema.parse({ partner, caseId, callerNumber, category: '噪音扰民', summary: '楼上装修噪音，非警情', location: '解放路12号', dispatcherName: '王警官', dispatcherCallback: '02188880110' });

/** A call record at the phases the registry reaches (only the facts phaseOf reads). */
function call(id: string, line: string, phase: 'queued' | 'ringing' | 'answered' | 'ended', atMs: number, agentId = '1001'): CallRecord {
  const us = atMs * 1000;
  const legs: CallRecord['legs'] = [{ uuid: id, role: 'caller', createdUs: us, lastSeq: 0 }];
  if (phase !== 'queued') legs.push({ uuid: `${id}-a`, role: 'agent', purpose: 'offer', agentId, createdUs: us, lastSeq: 0, ...(phase === 'ended' ? { endedUs: us } : {}) });
  return {
    id, node: 'fs1', line, callerNumber: '13800000001', callerName: '', destination: '12345110', state: 'queued', legs, createdUs: us, ivrPath: [], flags: [], transfers: [], held: false, holdSeq: 0,
    ...(phase === 'answered' || phase === 'ended' ? { connectedUs: us, agentId } : {}),
    ...(phase === 'ended' ? { endedUs: us } : {}),
  };
}

const settle = () => new Promise((r) => setTimeout(r, 50));

t.test('a pre-announced call is matched by case id and followed to its outcome', async (t) => {
  const { svc, changes, outcomes, advance, now } = await setup(t, 'h1');
  const h = await svc.announce(announce('JJ2026120600017', '13800000001'), 'dispatcher:dispatcher');
  t.equal(h.state, 'announced');
  await t.rejects(svc.announce(announce('JJ2026120600017', '13800000009'), 'dispatcher:dispatcher'), new HandoffError('conflict', 'case JJ2026120600017 of 110 is announced already'));
  advance(20_000);
  const m = await svc.match({ callId: 'c1', line: 'from110', callerNumber: '13900000000', caseId: 'JJ2026120600017', queue: 'from110' });
  t.equal(m?.priority, 'from110');
  t.equal(m?.handoff.id, h.id, 'the case id wins over a different caller number');
  t.equal(m?.handoff.matchedBy, 'case-id');
  const queuedAt = now();
  advance(3_000);
  svc.onCall(call('c1', 'from110', 'ringing', now()));
  await settle();
  advance(2_000);
  svc.onCall(call('c1', 'from110', 'answered', now()));
  await settle();
  svc.onCall(call('c1', 'from110', 'ringing', now())); // late event: never moves back
  await settle();
  advance(60_000);
  svc.onCall(call('c1', 'from110', 'ended', now()));
  await settle();
  const got = await svc.get(h.id);
  t.match(got, { state: 'ended', ringingAgent: '1001', answeredBy: '1001', answeredMs: queuedAt + 5_000 });
  // Queued twice: the second carries the caller's position.
  t.same(changes.map((c) => c.state), ['announced', 'queued', 'queued', 'ringing', 'answered', 'ended'], 'the console sees each step once, in order');
  t.equal(changes[2]?.position, 1);
  await svc.wrapUp('c1', { agentId: '1001', category: '投诉', summary: '已派单至城管', ticketRef: 'GD-20261206-0042', atMs: now() });
  t.equal(outcomes.length, 1, 'the outcome goes to the partner once');
  t.same(outcomes[0]?.outcome, { agentId: '1001', category: '投诉', summary: '已派单至城管', ticketRef: 'GD-20261206-0042', atMs: now() });
  t.equal(await svc.wrapUp('c1', { agentId: '1001', category: '投诉', summary: 'again', atMs: now() }), undefined, 'a second outcome is refused');
});

t.test('matching by caller number within the window, unannounced calls, other lines', async (t) => {
  const { svc, advance } = await setup(t, 'h2');
  const h = await svc.announce(announce('A1', '13800000002'), 'dispatcher:d');
  advance(60_000);
  const m = await svc.match({ callId: 'c2', line: 'from110', callerNumber: '13800000002', queue: 'from110' });
  t.equal(m?.handoff.id, h.id);
  t.equal(m?.handoff.matchedBy, 'caller-number');
  const again = await svc.match({ callId: 'c3', line: 'from110', callerNumber: '13800000002', queue: 'from110' });
  t.equal(again?.handoff.matchedBy, 'unannounced', 'one announcement matches one call');
  t.equal(await svc.match({ callId: 'c4', line: 'main', callerNumber: '13800000002', queue: 'general' }), undefined, 'not a partner line');
  const p119 = await svc.match({ callId: 'c5', line: 'from119', callerNumber: '13800000003', queue: 'from110' });
  t.equal(p119?.handoff.partner, '119', '119 is configured like 110');
});

t.test('no answer in time: the dispatcher is warned and may take the caller back', async (t) => {
  const { svc, changes, returned, advance } = await setup(t, 'h3');
  const h = await svc.announce(announce('B7', '13800000004'), 'dispatcher:d');
  await svc.match({ callId: 'c6', line: 'from110', callerNumber: '13800000004', caseId: 'B7', queue: 'from110' });
  advance(29_000);
  await svc.review();
  t.notOk((await svc.get(h.id))?.warnedMs, 'not before the warning time');
  advance(2_000);
  await svc.review();
  t.ok((await svc.get(h.id))?.warnedMs, 'warned');
  t.ok(changes.some((c) => c.warnedMs !== undefined), 'the console heard of it');
  const back = await svc.takeBack(h.id);
  t.equal(back.state, 'returned');
  t.same(returned, ['c6'], 'the caller is sent back on the switch');
  await t.rejects(svc.takeBack(h.id), { code: 'conflict' }, 'not twice');
  svc.onCall(call('c6', 'from110', 'ended', Date.now()));
  await settle();
  t.equal((await svc.get(h.id))?.state, 'returned', 'the call ending afterwards does not undo it');
});

t.test('diversion figures for a scripted day equal the test\'s own counts', async (t) => {
  const { svc, advance, now } = await setup(t, 'h4');
  const want = { announced: 0, transferred: 0, accepted: 0, returned: 0, answerMs: 0 };
  // A seeded script: 40 calls, some announced, some answered after a wait, some taken back.
  let seed = 7;
  const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 40; i++) {
    const announced = rnd() < 0.7;
    const number = `1380000${String(1000 + i)}`;
    if (announced) {
      await svc.announce(announce(`D${i}`, number), 'dispatcher:d');
      want.announced++;
    }
    advance(5_000);
    const m = await svc.match({ callId: `d${i}`, line: 'from110', callerNumber: number, ...(announced && rnd() < 0.5 ? { caseId: `D${i}` } : {}), queue: 'from110' });
    want.transferred++;
    const fate = rnd();
    if (fate < 0.15) {
      await svc.takeBack(m!.handoff.id);
      want.returned++;
    } else if (fate < 0.9) {
      const wait = Math.floor(rnd() * 20_000);
      advance(wait);
      svc.onCall(call(`d${i}`, 'from110', 'answered', now()));
      await settle();
      want.accepted++;
      want.answerMs += wait;
    }
    advance(1_000);
  }
  // Two instances seeing the same answer count it once: replay every answer.
  const f = await svc.figures('110', '2026-12-06');
  t.same(f.in, { announced: want.announced, transferred: want.transferred, accepted: want.accepted, returned: want.returned, threeWay: 0, meanAnswerSec: Math.round(want.answerMs / want.accepted) / 1000 });
  t.same(f.out, { announced: 0, transferred: 0, accepted: 0, returned: 0, threeWay: 0, meanAnswerSec: null });
});

t.test('partners: configured, each with its own console access', async (t) => {
  const partners = partnersSchema.parse(DEFAULT_PARTNERS);
  t.same(partners.map((p) => p.id), ['110', '119', '120', '122', '12388']);
  t.same(partnersFor(partners, { role: 'dispatcher', groups: ['119'] }).map((p) => p.id), ['119']);
  t.same(partnersFor(partners, { role: 'dispatcher' }), [], 'a dispatcher without a partner group sees none');
  t.equal(partnersFor(partners, { role: 'supervisor' }).length, 5);
  t.throws(() => partnersSchema.parse([...DEFAULT_PARTNERS, { id: '110', name: 'x', line: 'fromx', gateway: 'g', number: '110' }]), /unique partner ids/);
});
