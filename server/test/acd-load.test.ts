// Issue "ACD", must show: 20 agents, 200 callers arriving in bursts, over fsim with real Redis.
// Every caller is answered or abandons per its patience; no agent ever holds two calls; FIFO within
// a class holds; ring-no-answer moves on; and the service's 15-second rate equals the rate this
// test computes from fsim's own timestamps. The simulated world runs 20x faster than real time.
import t from 'tap';
import { eventually, startHarness } from './helpers/service.ts';
import { FsimLog } from './helpers/fsim-log.ts';
import { bearer } from './helpers/tokens.ts';

const SCALE = 0.05;
const real = (simMs: number) => simMs * SCALE;

t.test('20 agents, 200 callers in bursts', async (t) => {
  const h = await startHarness(t, { timeScale: SCALE, env: { HOTLINE_ACD_WRAP_UP_SEC: '0', HOTLINE_ACD_RING_NO_ANSWER_SEC: '10' } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  const log = new FsimLog(h.fsim);
  t.teardown(() => log.close());

  const deaf = ['1018', '1019'];
  for (let i = 0; i < 20; i++) {
    const id = String(1000 + i);
    h.fsim.sw.registerUser(id, deaf.includes(id) ? { neverAnswer: true } : { answerAfterMs: 1000 + (i % 5) * 500, hangupAfterMs: 20_000 + (i % 7) * 5_000 });
    await calls.acd.agents.create({ id, name: `坐席${id}`, phone: `user/${id}`, skills: { general: 1 + (i % 10) } });
    await calls.acd.agents.apply(id, { type: 'login' }, 'test');
    calls.acd.agentBecameReady(id);
  }

  const placed: { uuid: string; patienceMs: number }[] = [];
  for (let burst = 0; burst < 4; burst++) {
    for (let i = 0; i < 50; i++) {
      const n = burst * 50 + i;
      const patienceMs = 30_000 + ((n * 7919) % 150_000); // 30..180 s of patience
      const { uuid } = (await h.control('/calls', { from: `1380000${String(n).padStart(4, '0')}`, to: '12345', profile: 'external', patienceMs })).json as { uuid: string };
      placed.push({ uuid, patienceMs });
    }
    await new Promise((r) => setTimeout(r, real(30_000)));
  }

  await eventually('every caller answered or gone', () => h.fsim.sw.listChannels().length === 0 && calls.registry.live().length === 0, 60_000);

  let answered = 0;
  let abandoned = 0;
  for (const { uuid, patienceMs } of placed) {
    const c = log.callers.get(uuid);
    if (!c) {
      t.fail(`caller ${uuid} never seen`);
      continue;
    }
    if (c.answeredUs !== undefined) answered++;
    else {
      abandoned++;
      // It hung up on its own when its patience ran out (counted from its arrival), not earlier or later.
      const waitedMs = ((c.hangupUs ?? 0) - c.createdUs) / 1000;
      // Late by up to 10 simulated seconds (0.5 s of real timer lag on a loaded 2-core machine).
      if (waitedMs < patienceMs - 200 || waitedMs > patienceMs + 10_000) t.fail(`${uuid}: unanswered, hung up after ${waitedMs} ms with patience ${patienceMs} ms (${c.hangupCause})`);
    }
  }
  t.equal(answered + abandoned, 200, `every caller answered (${answered}) or abandoned (${abandoned})`);
  t.ok(answered >= 100, 'most callers were answered');
  t.equal(log.maxConcurrentLegsPerAgent(), 1, 'no agent phone ever had two calls at once');

  // FIFO within the class (all callers here are on the main line, normal class).
  t.same(log.fifoViolations(), [], 'no caller was overtaken by one who queued after it');

  for (const id of deaf) {
    const a = await calls.acd.agents.get(id);
    t.equal(a?.state, 'not-ready', `${id} never answers: not-ready`);
    t.equal(a?.reason, 'ring-no-answer');
  }
  const rnaCallers = [...log.callers.values()].filter((c) => c.offers.some((o) => deaf.includes(o.user)));
  t.ok(rnaCallers.length >= 2, 'the deaf phones were offered calls');
  t.ok(rnaCallers.every((c) => c.answeredUs !== undefined || c.hangupUs !== undefined), 'their callers moved on to other agents or left');
  t.ok(rnaCallers.some((c) => c.agentUser !== undefined && !deaf.includes(c.agentUser)), 'a ring-no-answer caller was answered by the next agent');

  const mine = log.rates(15, 5);
  t.comment(`fsim-computed: ${JSON.stringify(mine)}`);
  // The simulated clock runs ahead of the wall clock (20x): ask for the window ending at the
  // switch's own "now", where every t0 of this test lies.
  const simNowMs = Math.max(...[...log.callers.values()].map((c) => (c.hangupUs ?? 0) / 1000)) + 1000;
  const res = await h.service.app.inject({ method: 'GET', url: `/api/sla?scope=center&at=${new Date(simNowMs).toISOString()}`, headers: await bearer(h.service.auth, 'ops') });
  t.equal(res.statusCode, 200);
  const sla = res.json() as { rolling24h: { offered: number; counted: number; answeredWithin: number; rate15s: number } };
  t.comment(`service: ${JSON.stringify(sla.rolling24h)}`);
  t.equal(sla.rolling24h.offered, mine.offered, 'offered');
  t.equal(sla.rolling24h.counted, mine.counted, 'counted');
  t.equal(sla.rolling24h.answeredWithin, mine.within, 'answered within 15 s');
  t.equal(sla.rolling24h.rate15s, mine.rate15s, 'the 15-second rate the service reports is the one computed from fsim');
});
