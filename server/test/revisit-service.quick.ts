// The revisit service with a fake clock on a real Redis: nothing is offered outside calling hours,
// a task created at dawn is offered at 09:00 to the longest-idle ready agent with the skill, a
// preview left alone goes back to the list and frees the agent, a task past its due window fails,
// and the complaint rule makes one task per call however often it fires. The agent port is a
// small in-memory state table (the ACD's own store is tested elsewhere); no switch is needed here.
import t from 'tap';
import pino from 'pino';
import { Redis } from 'ioredis';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { parseWindows } from '../src/revisit/calling-hours.ts';
import type { RevisitAgentCommand, RevisitAgents, RevisitCard } from '../src/revisit/ports.ts';
import { RevisitService } from '../src/revisit/service.ts';
import { redisKeys } from '../src/store/keys.ts';
import { RevisitStore } from '../src/store/revisit-store.ts';

const sh = (iso: string): number => Date.parse(`${iso}+08:00`);

function agentTable(ids: string[]) {
  const agents = new Map(ids.map((id, i) => [id, { id, state: 'ready', callId: undefined as string | undefined, phone: `user/${id}`, skills: { revisit: 5 }, idle: i }]));
  const port: RevisitAgents = {
    get: async (id) => agents.get(id),
    readyWithSkill: async () => [...agents.values()].filter((a) => a.state === 'ready').sort((a, b) => a.idle - b.idle).map((a) => a.id),
    apply: async (id, c: RevisitAgentCommand, callId) => {
      const a = agents.get(id)!;
      if (c === 'reserve' && a.state === 'ready') return Object.assign(a, { state: 'reserved', callId }), true;
      if (c === 'cancelReservation' && a.state === 'reserved' && a.callId === callId) return Object.assign(a, { state: 'ready', callId: undefined }), true;
      return false;
    },
    becameReady: () => undefined,
  };
  return { agents, port };
}

t.test('offers follow calling hours, previews time out, due windows expire, rules fire once', async (t) => {
  const r = await withRedis(t);
  const redis = new Redis(r.url);
  t.teardown(() => redis.quit());
  const clock = { now: sh('2026-12-07T06:00:00') };
  const { agents, port } = agentTable(['a1', 'a2']);
  const cards: [string, RevisitCard | null][] = [];
  const store = new RevisitStore(redis, redisKeys('svc'));
  const noSwitch = async (): Promise<never> => {
    throw new Error('no switch in this test');
  };
  const svc = new RevisitService({
    store,
    agents: port,
    sw: { originateInBackground: noSwitch, bridge: noSwitch, kill: noSwitch },
    notify: { card: (id, card) => void cards.push([id, card]) },
    settings: {
      hours: { timeZone: 'Asia/Shanghai', windows: parseWindows(['09:00-12:00', '14:00-20:00']) },
      retry: { retryAfterMin: 60, maxAttempts: 3 },
      skill: 'revisit',
      windowHours: 72,
      previewTimeoutSec: 120,
      agentRingSec: 20,
      citizenRingSec: 40,
      callerIdNumber: '12345',
    },
    citizenDialstring: (n) => `sofia/gateway/gw_carrier/${n}`,
    dayOf: (ms) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10),
    now: () => clock.now,
    logger: pino({ level: 'silent' }),
  });

  const task = (await svc.create({ number: '13800000001', reason: 'requested', summary: '回访' }, 'supervisor:wang'))!;
  t.equal(task.dueMs, sh('2026-12-07T09:00:00'), 'created at 06:00: due at 09:00');
  await svc.tick();
  t.equal((await svc.get(task.id))?.state, 'pending', 'nothing offered at 06:00');
  await t.rejects(svc.take('a1'), { code: 'conflict', message: /outside calling hours/ }, 'nor taken');

  clock.now = sh('2026-12-07T09:00:01');
  await svc.tick();
  t.match(await svc.get(task.id), { state: 'offered', agentId: 'a1' }, 'at 09:00 offered to the longest-idle agent');
  t.match(agents.get('a1'), { state: 'reserved', callId: `revisit-${task.id}` });
  t.equal(agents.get('a2')?.state, 'ready', 'one task, one agent');
  t.equal(cards.at(-1)?.[1]?.task.number, '13800000001', 'the card carries the whole number');
  await t.rejects(svc.call('a2', task.id), { code: 'forbidden' }, "another agent cannot call someone else's revisit");

  clock.now += 119_000;
  await svc.tick();
  t.equal((await svc.get(task.id))?.state, 'offered', 'still offered before the preview timeout');
  clock.now += 2_000;
  await svc.tick();
  // Released on this tick, then offered again at once to the longest-idle ready agent.
  const again = await svc.get(task.id);
  t.equal(again?.state, 'offered', 'back in the list and offered again');
  t.ok(cards.some(([id, c]) => id === 'a1' && c === null), "a1's card was taken away");
  t.equal((await store.auditOf(task.id)).filter((e) => e.action === 'preview-timeout').length, 1, 'the timeout is audited');

  await svc.skip(again!.agentId!, task.id);
  t.equal((await svc.get(task.id))?.state, 'pending', 'skipped: pending again');

  // A task whose window closes before it can be offered fails instead.
  for (const a of agents.values()) a.state = 'not-ready';
  const late = (await svc.create({ number: '13800000002', reason: 'ticket', summary: 's', dueBy: new Date(sh('2026-12-07T10:00:00')).toISOString() }, 'ticket-system'))!;
  clock.now = sh('2026-12-07T10:30:00');
  for (const a of agents.values()) a.state = 'ready';
  await svc.tick();
  t.equal((await svc.get(task.id))?.state, 'offered', 'the first task, still in its window, is offered');
  t.equal((await svc.get(late.id))?.state, 'failed', 'past its due window: failed, not offered');
  t.match(await svc.figures('2026-12-07'), { created: 2, attempted: 0, meanAttempts: 0 }, 'the failed task counts as closed with 0 attempts');

  // The complaint rule: once per call.
  const w = { callId: 'call-1', category: 'complaint', summary: '投诉', callerNumber: '13900000003' };
  t.ok(await svc.fromWrapUp(w), 'a complaint makes a task');
  t.equal(await svc.fromWrapUp(w), undefined, 'the same complaint again does not');
  t.equal(await svc.fromCdr({ callId: 'call-2', callerNumber: '13900000004', survey: { rating: 'basically-satisfied', digit: '2' } }), undefined, 'a basic rating does not');
  t.match(await svc.fromCdr({ callId: 'call-2', callerNumber: '13900000004', survey: { rating: 'not-satisfied', digit: '3' } }), { reason: 'unsatisfied', by: 'rule:unsatisfied' }, 'an unsatisfied rating does');
});
