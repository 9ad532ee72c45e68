// The agent store on a real Redis: ready sets follow state, transitions are atomic across instances,
// wrap-ups expire, every change is audited.
import t from 'tap';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { AgentTransitionError } from '../src/acd/agent-state.ts';
import { AgentBusyError, AgentExistsError, AgentNotFoundError } from '../src/store/agent-store.ts';
import { T0, agentStore, connect, freshPrefix, readyScore, type FakeClock } from './helpers/acd-agents.ts';

const profile = { id: '1001', name: 'Li Lei', phone: 'user/1001', skills: { general: 7, enterprise: 3 } };

t.test('agent store', async (t) => {
  const { url } = await withRedis(t);

  t.test('create, the hash layout the router reads, get and list', async (t) => {
    const clock: FakeClock = { now: T0 };
    const { store, redis, keys } = agentStore(t, url, { prefix: freshPrefix(), clock });
    const created = await store.create(profile, 'admin:zhang');
    t.same(created, { ...profile, groups: [], state: 'logged-out', since: T0, wrapExtended: false, rev: 1 });
    t.same(await redis.hgetall(keys.agent('1001')), {
      id: '1001',
      name: 'Li Lei',
      phone: 'user/1001',
      skills: '{"general":7,"enterprise":3}',
      groups: '[]',
      state: 'logged-out',
      since: String(T0),
      wrapExtended: '0',
      rev: '1',
    });
    t.same(await redis.smembers(keys.agents), ['1001']);
    t.same(await store.get('1001'), created);
    t.equal(await store.get('nope'), undefined);
    await t.rejects(store.create({ ...profile, name: 'someone else' }), new AgentExistsError('1001'));
    t.equal((await store.get('1001'))?.name, 'Li Lei', 'a refused create changes nothing');
    await store.create({ ...profile, id: '0999' });
    t.same((await store.list()).map((a) => a.id), ['0999', '1001']);
    t.match(await store.audit('1001'), [{ event: 'create', from: 'logged-out', to: 'logged-out', reason: 'created', at: T0, by: 'admin:zhang' }]);
  });

  t.test('ready-set membership and score follow the state', async (t) => {
    const clock: FakeClock = { now: T0 };
    const { store, redis, keys } = agentStore(t, url, { prefix: freshPrefix(), clock, wrapUpSec: 30 });
    await store.create(profile);
    const scores = async () => [await readyScore(redis, keys, 'general', '1001'), await readyScore(redis, keys, 'enterprise', '1001')];
    t.same(await scores(), [null, null], 'logged out: in no ready set');

    clock.now = T0 + 1_000;
    await store.apply('1001', { type: 'login' });
    t.same(await scores(), [T0 + 1_000, T0 + 1_000], 'login: in every skill set, idle from now');

    clock.now = T0 + 2_000;
    await store.apply('1001', { type: 'notReady', reason: 'meeting' });
    t.same(await scores(), [null, null], 'not-ready: out');
    t.match(await redis.hgetall(keys.agent('1001')), { state: 'not-ready', reason: 'meeting', since: String(T0 + 2_000) });

    clock.now = T0 + 3_000;
    await store.apply('1001', { type: 'ready' });
    t.same(await scores(), [T0 + 3_000, T0 + 3_000], 'ready again: idle from then');
    t.notOk('reason' in (await redis.hgetall(keys.agent('1001'))), 'reason field removed');

    clock.now = T0 + 4_000;
    await store.apply('1001', { type: 'reserve', callId: 'c1' }, 'acd');
    t.same(await scores(), [null, null], 'reserved: out');
    await store.apply('1001', { type: 'cancelReservation', callId: 'c1' });
    t.same(await scores(), [T0 + 3_000, T0 + 3_000], 'offer cancelled: back with its old idle position');

    await store.apply('1001', { type: 'reserve', callId: 'c2' });
    clock.now = T0 + 5_000;
    await store.apply('1001', { type: 'connect', callId: 'c2' });
    t.same(await scores(), [null, null], 'on-call: out');
    t.match(await redis.hgetall(keys.agent('1001')), { state: 'on-call', callId: 'c2' });

    clock.now = T0 + 65_000;
    await store.apply('1001', { type: 'endCall', callId: 'c2' });
    t.same(await scores(), [null, null], 'wrap-up: out');
    t.match(await redis.hgetall(keys.agent('1001')), { state: 'wrap-up', callId: 'c2', wrapUntil: String(T0 + 95_000), wrapExtended: '0' });
    await store.apply('1001', { type: 'extendWrapUp' });
    t.match(await redis.hgetall(keys.agent('1001')), { wrapUntil: String(T0 + 125_000), wrapExtended: '1' });

    clock.now = T0 + 70_000;
    await store.apply('1001', { type: 'endWrapUp' });
    t.same(await scores(), [T0 + 70_000, T0 + 70_000], 'wrap-up ended early: idle from then');
    const h = await redis.hgetall(keys.agent('1001'));
    t.notOk('callId' in h || 'wrapUntil' in h, 'call and wrap-up fields removed');
    t.equal(h.wrapExtended, '0', 'the next wrap-up may be extended again');

    await store.apply('1001', { type: 'reserve', callId: 'c3' });
    await store.apply('1001', { type: 'ringNoAnswer', callId: 'c3' });
    t.same(await scores(), [null, null], 'ring-no-answer: out');
    t.match(await store.get('1001'), { state: 'not-ready', reason: 'ring-no-answer' });

    await store.apply('1001', { type: 'ready' });
    await store.apply('1001', { type: 'logout' });
    t.same(await scores(), [null, null], 'logged out: out');
  });

  t.test('skills changed while ready: the agent moves between sets with its idle position', async (t) => {
    const clock: FakeClock = { now: T0 };
    const { store, redis, keys } = agentStore(t, url, { prefix: freshPrefix(), clock });
    await store.create(profile);
    await store.apply('1001', { type: 'login' });
    clock.now = T0 + 9_000;
    const updated = await store.update('1001', { skills: { general: 9, elder: 5 }, name: undefined }, 'admin');
    t.match(updated, { name: 'Li Lei', skills: { general: 9, elder: 5 }, state: 'ready', rev: 3 });
    t.equal(await readyScore(redis, keys, 'general', '1001'), T0);
    t.equal(await readyScore(redis, keys, 'elder', '1001'), T0);
    t.equal(await readyScore(redis, keys, 'enterprise', '1001'), null, 'left the removed skill');
    t.match((await store.audit('1001'))[0], { event: 'update', reason: 'changed skills', by: 'admin', at: T0 + 9_000 });
    await t.rejects(store.update('nope', { name: 'x' }), new AgentNotFoundError('nope'));
  });

  t.test('delete only when logged out; the audit trail stays', async (t) => {
    const clock: FakeClock = { now: T0 };
    const { store, redis, keys } = agentStore(t, url, { prefix: freshPrefix(), clock });
    await store.create(profile);
    await store.apply('1001', { type: 'login' });
    await t.rejects(store.delete('1001'), new AgentBusyError('1001', 'ready'));
    await t.rejects(store.delete('1001'), { message: 'agent 1001: cannot delete while ready; log the agent out first' });
    t.ok(await store.get('1001'), 'still there');
    await store.apply('1001', { type: 'logout' });
    await store.delete('1001', 'admin:zhang');
    t.equal(await store.get('1001'), undefined);
    t.same(await redis.smembers(keys.agents), []);
    t.equal(await readyScore(redis, keys, 'general', '1001'), null);
    t.same((await store.audit('1001')).map((e) => e.event), ['delete', 'logout', 'login', 'create']);
    await t.rejects(store.delete('1001'), new AgentNotFoundError('1001'));
    await t.rejects(store.apply('1001', { type: 'login' }), new AgentNotFoundError('1001'));
  });

  t.test('audit stream entries: fields, order, bounded length', async (t) => {
    const clock: FakeClock = { now: T0 };
    const { store, redis, keys } = agentStore(t, url, { prefix: freshPrefix(), clock, auditMaxLen: 10 });
    await store.create(profile);
    await store.apply('1001', { type: 'login' }, 'supervisor:wang');
    clock.now = T0 + 500;
    await store.apply('1001', { type: 'reserve', callId: 'c1' }, 'acd');
    const raw = await redis.xrange(keys.agentAudit('1001'), '-', '+');
    t.same(
      raw.map(([, f]) => f),
      [
        ['event', 'create', 'from', 'logged-out', 'to', 'logged-out', 'reason', 'created', 'at', String(T0), 'by', 'admin'],
        ['event', 'login', 'from', 'logged-out', 'to', 'ready', 'reason', 'login', 'at', String(T0), 'by', 'supervisor:wang'],
        ['event', 'reserve', 'from', 'ready', 'to', 'reserved', 'reason', 'offer', 'at', String(T0 + 500), 'by', 'acd', 'callId', 'c1'],
      ],
    );
    t.same(await store.audit('1001', 1), [{ id: raw[2]![0], event: 'reserve', from: 'ready', to: 'reserved', reason: 'offer', at: T0 + 500, by: 'acd', callId: 'c1' }], 'newest first');
    for (let i = 0; i < 300; i++) await store.update('1001', { name: `n${i}` });
    const len = await redis.xlen(keys.agentAudit('1001'));
    t.ok(len >= 10 && len < 200, `MAXLEN ~ trims the stream (${len} entries after 303 writes)`);
  });

  t.test('expireWrapUps moves only due agents, dated at their end', async (t) => {
    const clock: FakeClock = { now: T0 };
    const { store, redis, keys } = agentStore(t, url, { prefix: freshPrefix(), clock, wrapUpSec: 30 });
    for (const id of ['a1', 'a2', 'a3']) {
      await store.create({ ...profile, id });
      await store.apply(id, { type: 'login' });
      await store.apply(id, { type: 'reserve', callId: `c-${id}` });
      await store.apply(id, { type: 'connect' });
    }
    await store.apply('a1', { type: 'endCall' }); // wrap-up until T0 + 30 s
    clock.now = T0 + 10_000;
    await store.apply('a2', { type: 'endCall' }); // until T0 + 40 s
    t.same((await store.expireWrapUps(T0 + 29_999)).map((x) => x.id), [], 'none due yet');
    t.same((await store.expireWrapUps(T0 + 35_000)).map((x) => x.id), ['a1']);
    t.match(await store.get('a1'), { state: 'ready', since: T0 + 30_000, idleSince: T0 + 30_000 });
    t.equal(await readyScore(redis, keys, 'general', 'a1'), T0 + 30_000, 'ready set score: the end of wrap-up');
    t.match((await store.audit('a1'))[0], { event: 'wrapUpExpired', from: 'wrap-up', to: 'ready', reason: 'wrap-up-expired', at: T0 + 30_000, by: 'system', callId: 'c-a1' });
    t.match(await store.get('a2'), { state: 'wrap-up' });
    t.match(await store.get('a3'), { state: 'on-call' }, 'on a call: untouched');
    t.same((await store.expireWrapUps(T0 + 35_000)).map((x) => x.id), [], 'nothing twice');
  });

  t.test('two instances, conflicting transitions at once: exactly one wins', async (t) => {
    const clock: FakeClock = { now: T0 };
    const prefix = freshPrefix();
    const a = agentStore(t, url, { prefix, clock });
    const b = agentStore(t, url, { prefix, clock });
    t.not(a.redis, b.redis, 'two connections');
    await a.store.create(profile);
    await a.store.apply('1001', { type: 'login' });
    for (let round = 0; round < 20; round++) {
      const callId = `c${round}`;
      await a.store.apply('1001', { type: 'reserve', callId });
      const before = await a.redis.xlen(a.keys.agentAudit('1001'));
      // Both read "reserved" before either writes (each sends its read before awaiting anything).
      const [x, y] = [round % 2 ? a : b, round % 2 ? b : a];
      const results = await Promise.allSettled([x.store.apply('1001', { type: 'connect', callId }), y.store.apply('1001', { type: 'ringNoAnswer', callId })]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      t.equal(won.length, 1, `round ${round}: one winner`);
      t.ok(lost[0]?.reason instanceof AgentTransitionError, `round ${round}: the other is refused as coming second`);
      t.equal(await a.redis.xlen(a.keys.agentAudit('1001')), before + 1, `round ${round}: one audit entry`);
      const now = await a.store.get('1001');
      if (now?.state === 'on-call') await a.store.apply('1001', { type: 'endCall' }).then(() => a.store.apply('1001', { type: 'endWrapUp' }));
      else await a.store.apply('1001', { type: 'ready' });
    }
    // The same with many contenders on the same kind of command.
    await a.store.apply('1001', { type: 'logout' });
    const logins = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).store.apply('1001', { type: 'login' })));
    t.equal(logins.filter((r) => r.status === 'fulfilled').length, 1, 'ten logins at once: one succeeds');
    t.match(logins.find((r) => r.status === 'rejected'), { reason: { message: 'agent 1001: cannot log in: already logged in (ready)' } });
  });

  t.test('a write based on a stale read is decided again', async (t) => {
    const clock: FakeClock = { now: T0 };
    const prefix = freshPrefix();
    const redisA = connect(t, url);
    const a = agentStore(t, url, { prefix, clock, redis: redisA });
    const b = agentStore(t, url, { prefix, clock });
    // Runs on B between A's read and A's write (the agent script, sent by SHA): a real Redis, with
    // one deterministic interleaving.
    let between: (() => Promise<unknown>) | undefined;
    const scripted = redisA as unknown as { hotlineWriteAgent: (...args: unknown[]) => Promise<unknown> };
    const writeA = scripted.hotlineWriteAgent.bind(redisA);
    scripted.hotlineWriteAgent = async (...args: unknown[]) => {
      const run = between;
      between = undefined;
      if (run) await run();
      return writeA(...args);
    };
    await a.store.create(profile);
    await a.store.apply('1001', { type: 'login' });

    // The router's claim script moves ready -> reserved without touching rev: the state check must catch it.
    between = () =>
      b.redis.eval(
        `redis.call('HSET', KEYS[1], 'state', 'reserved', 'callId', ARGV[1], 'since', ARGV[2], 'reason', '')
         for k = 2, #KEYS do redis.call('ZREM', KEYS[k], ARGV[3]) end`,
        21, b.keys.agent('1001'), ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].flatMap((l) => [b.keys.readyAgents('general', l), b.keys.readyAgents('enterprise', l)]), 'claimed', String(T0), '1001',
      );
    await t.rejects(a.store.apply('1001', { type: 'notReady', reason: 'break' }), { message: 'agent 1001: cannot go from reserved to not-ready' });
    t.match(await a.store.get('1001'), { state: 'reserved', callId: 'claimed' }, "the router's claim stands");
    t.equal(await readyScore(a.redis, a.keys, 'general', '1001'), null);

    // Another instance extends the wrap-up after A read it as due: A's expiry must not end it.
    await a.store.apply('1001', { type: 'connect' });
    await a.store.apply('1001', { type: 'endCall' });
    between = () => b.store.apply('1001', { type: 'extendWrapUp' });
    t.same((await a.store.expireWrapUps(T0 + 31_000)).map((x) => x.id), [], 'refused after the re-read: the wrap-up now runs longer');
    t.match(await a.store.get('1001'), { state: 'wrap-up', wrapUntil: T0 + 60_000, wrapExtended: true });
    t.equal(await readyScore(a.redis, a.keys, 'general', '1001'), null);

    // A change that still applies on the new state goes through after the re-read.
    await a.store.apply('1001', { type: 'endWrapUp' });
    between = () => b.store.update('1001', { name: 'Li Lei (B)' });
    const out = await a.store.apply('1001', { type: 'notReady', reason: 'meal' });
    t.match(out.agent, { state: 'not-ready', name: 'Li Lei (B)' }, "B's change is kept, A's applied on top");
  });
});
