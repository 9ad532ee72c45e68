// Issue "ACD", must show: two service instances on one Redis and one fsim route 500 calls at once:
// zero double assignments, zero lost callers.
import t from 'tap';
import { eventually, startHarness, startSecondInstance } from './helpers/service.ts';
import { FsimLog } from './helpers/fsim-log.ts';

// 500 calls through two instances take 60-90 s on this 2-core machine, more when other test files
// share the cores: the file gets the 180 s its wait allows, not the default 120 s.
t.setTimeout(240_000);

t.test('two instances, 500 calls at once', async (t) => {
  // Routing races only: an agent that hangs up between answer and uuid_bridge (-ERR Invalid uuid)
  // rightly gets its caller offered again, which this test would count as two agents. So agents talk
  // 1.2-2 s (at timeScale 0.05), longer than the ESL pipeline takes under the full suite's load: at
  // 0.4-0.8 s that happened once in a CI run with three test files at a time. Survey and recording
  // (two more ESL commands per call) are off for the same reason; they have their own tests and
  // their cost per call belongs to the load bench (issue #15).
  const h = await startHarness(t, { timeScale: 0.05, env: { HOTLINE_ACD_WRAP_UP_SEC: '0', HOTLINE_SURVEY: '{"enabled":false}', HOTLINE_RECORDING_ENABLED: 'false' } });
  const a = h.service;
  const b = await startSecondInstance(t, h);
  await eventually('both connected', () => a.calls?.nodeStatus()[0]?.connected && b.calls?.nodeStatus()[0]?.connected, 15_000);
  const log = new FsimLog(h.fsim);
  t.teardown(() => log.close());

  for (let i = 0; i < 50; i++) {
    const id = String(1000 + i);
    h.fsim.sw.registerUser(id, { answerAfterMs: 500 + (i % 4) * 500, hangupAfterMs: 24_000 + (i % 5) * 4_000 });
    await a.calls!.acd.agents.create({ id, name: `坐席${id}`, phone: `user/${id}`, skills: { general: 1 + (i % 10) } });
    await a.calls!.acd.agents.apply(id, { type: 'login' }, 'test');
    // Half the agents are announced to one instance, half to the other: both must route.
    (i % 2 ? b : a).calls!.acd.agentBecameReady(id);
  }

  const placed = await Promise.all(
    Array.from({ length: 500 }, async (_, i) => {
      const res = await h.control('/calls', { from: `1370000${String(i).padStart(4, '0')}`, to: '12345', profile: 'external' });
      return (res.json as { uuid: string }).uuid;
    }),
  );
  await eventually('all 500 answered', () => placed.every((id) => log.callers.get(id)?.answeredUs !== undefined), 180_000);
  t.pass('zero lost callers: all 500 answered');
  t.equal(log.maxConcurrentLegsPerAgent(), 1, 'no agent phone ever rang or talked twice at once');
  const answeredLegs = new Map<string, number>();
  for (const leg of log.agentLegs.values()) if (leg.answeredUs !== undefined) answeredLegs.set(leg.callId, (answeredLegs.get(leg.callId) ?? 0) + 1);
  t.same([...answeredLegs.values()].filter((n) => n > 1), [], 'no caller was given two agents');
  t.equal(answeredLegs.size, 500);
  const offeredBy = new Set([...log.agentLegs.values()].map((l) => l.user));
  t.equal(offeredBy.size, 50, 'every agent took calls');
  await eventually('no offer left in flight', () => a.calls!.acd.router.offering === 0 && b.calls!.acd.router.offering === 0);
  const [sa, sb] = [a.calls!.acd.router.stats, b.calls!.acd.router.stats];
  t.comment(`instance A ${JSON.stringify(sa)}, instance B ${JSON.stringify(sb)}`);
  t.ok(sa.offers > 0 && sb.offers > 0, 'both instances routed calls');
  t.equal(sa.connected + sb.connected, 500, 'each call connected once, by one instance');
  t.equal(sa.failed + sb.failed, 0, 'no failed offers');
});
