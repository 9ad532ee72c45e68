// The router under switch faults, over fsim and real Redis. Before: with the switch connection
// down, every claim's originate failed at once, the agent went back to ready and the caller back
// to the head of the queue, and the next claim followed at once (5,628 failed offers in 4.5 s); a
// phone failing with a cause other than ring-no-answer was offered the same call again and again
// (162 times); a `'` in a caller id made every offer of that caller fail, so it stayed at the head
// of its queue; a callback number with `,|[]` went into the dial string; a failed originate logged
// the caller's number.
import t from 'tap';
import { eventually, startHarness, type Harness } from './helpers/service.ts';

async function agent(h: Harness, id: string, phone: Record<string, unknown> = { answerAfterMs: 200, hangupAfterMs: 1500 }) {
  h.fsim.sw.registerUser(id, phone);
  const acd = h.service.calls!.acd;
  await acd.agents.create({ id, name: id, phone: `user/${id}`, skills: { general: 5 } });
  await acd.agents.apply(id, { type: 'login' }, 'test');
  acd.agentBecameReady(id);
}

/** Every other agent out of rotation (not-ready), so each case below runs on its own. */
async function only(h: Harness, keep: string[]): Promise<void> {
  const acd = h.service.calls!.acd;
  await eventually('other agents out of rotation', async () => {
    for (const a of await acd.agents.list()) {
      if (keep.includes(a.id) || a.state === 'not-ready' || a.state === 'logged-out') continue;
      await acd.agents.apply(a.id, { type: 'notReady', reason: 'break' }, 'test').catch(() => undefined);
    }
    return (await acd.agents.list()).every((a) => keep.includes(a.id) || a.state === 'not-ready' || a.state === 'logged-out');
  }, 20_000);
}

/** The agent took this call (from its audit: the call may be over by the time we look). */
const tookCall = async (h: Harness, agentId: string, callId: string): Promise<boolean> =>
  (await h.service.calls!.acd.agents.audit(agentId, 1000)).some((e) => e.callId === callId && e.to === 'on-call');

const offersTo = async (h: Harness, id: string): Promise<number> => (await h.service.calls!.acd.agents.audit(id, 1000)).filter((e) => e.to === 'reserved').length;
const records = (lines: string[]): Record<string, unknown>[] => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

t.test('switch faults', async (t) => {
  const logLines: string[] = [];
  const h = await startHarness(t, {
    timeScale: 0.1,
    logLines,
    node: { reconnect: { initialMs: 3000, maxMs: 3000, jitter: 0 }, commandTimeoutMs: 2000 },
    env: { HOTLINE_ACD_WRAP_UP_SEC: '0', HOTLINE_ACD_RING_NO_ANSWER_SEC: '8' },
    fsimSwitch: { gateways: [{ name: 'gw_carrier', numbers: { '*': { answerAfterMs: 300, hangupAfterMs: 60_000 } } }] },
  });
  const calls = h.service.calls!;
  const router = calls.acd.router;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  // In-process, not through the control API: its schema refuses the hostile caller ids below (a SIP
  // user part may hold `'` and `,` though, RFC 3261 user-unreserved and mark characters).
  const place = async (from: string, dtmf?: { afterMs: number; digits: string }[]) => h.fsim.sw.placeCall({ from, to: '12345', profile: 'external', ...(dtmf ? { dtmf } : {}) });

  t.test('no offer while the switch connection is down; routing resumes after reconnect and resync', async (t) => {
    const caller = await place('13800138001');
    await eventually('queued', async () => (await calls.queues.list('general')).includes(caller), 10_000);
    h.fsim.dropEslClients();
    await eventually('disconnect noticed', () => !calls.nodeStatus()[0]?.connected);
    const before = router.stats.offers;
    await agent(h, '1001');
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 2500));
    const offers = router.stats.offers - before;
    t.ok(offers <= 2, `${offers} offers in ${Date.now() - started} ms with the switch down (before: thousands)`);
    await eventually('reconnected', () => calls.nodeStatus()[0]?.connected, 10_000);
    await eventually('the waiting caller reaches the agent', () => tookCall(h, '1001', caller), 15_000);
    t.pass('routing resumed by itself');
  });

  t.test('a broken phone gets at most N offers, then not-ready with reason phone-failure and an alert', async (t) => {
    await only(h, []);
    // The phone answers every INVITE with 488 Not Acceptable Here (no common codec).
    await agent(h, '1002', { rejectCause: 'INCOMPATIBLE_DESTINATION' });
    const caller = await place('13800138002');
    const broken = await eventually('1002 set not-ready', async () => {
      const a = await calls.acd.agents.get('1002');
      return a?.state === 'not-ready' && a;
    }, 20_000);
    t.equal(broken.reason, 'phone-failure');
    t.equal(await offersTo(h, '1002'), 3, 'offered exactly phoneFailureLimit (3) times');
    const logs = records(logLines);
    const alert = logs.find((l) => String(l.msg).startsWith('ALERT agent phone failing'));
    t.match(alert, { agentId: '1002', failuresInARow: 3 }, 'an alert in the log');
    const metrics = await h.service.metrics.getSingleMetricAsString('hotline_acd_phone_failure_alerts_total');
    t.match(metrics, /hotline_acd_phone_failure_alerts_total 1/, 'and in /metrics');
    const failed = logs.filter((l) => l.msg === "offer failed: the agent's phone did not ring");
    t.ok(failed.length >= 1 && failed.length <= 2 && failed.every((l) => typeof l.count === 'number'), `${failed.length} log lines with counts for 3 failures`);
    // Someone who can answer takes the caller.
    await agent(h, '1003');
    await eventually('the caller reaches 1003', () => tookCall(h, '1003', caller), 15_000);
  });

  t.test("a caller id with a ' no longer poisons its queue", async (t) => {
    await only(h, []);
    const quoted = await place("1380013'8003");
    const next = await place('13800138004');
    await agent(h, '1004');
    await eventually("the ' caller is connected", () => tookCall(h, '1004', quoted), 15_000);
    await eventually('and so is the caller behind it', () => tookCall(h, '1004', next), 15_000);
    t.pass('both connected');
  });

  t.test('a callback number with , | [ ] never reaches a dial string', async (t) => {
    await only(h, []);
    const created: string[] = [];
    const stop = h.fsim.sw.onEvent((ev) => {
      if (ev.name !== 'CHANNEL_CREATE') return;
      created.push(ev.headers.find(([k]) => k === 'Channel-Name')?.[1] ?? '');
    });
    t.teardown(stop);
    const caller = await place('138,0|[1]');
    await eventually('queued', async () => (await calls.queues.list('general')).includes(caller), 15_000);
    await h.control(`/calls/${caller}/dtmf`, { digits: '1' });
    await eventually('the key press handled', async () => (await calls.queues.get(caller))?.callback ?? records(logLines).some((l) => l.callId === caller && String(l.msg).startsWith('callback not offered')), 15_000);
    // Had it been noted, the next free agent would make the service dial it.
    await agent(h, '1005');
    await new Promise((r) => setTimeout(r, 1000));
    t.notOk((await calls.queues.get(caller))?.callback, 'no callback noted');
    t.notOk(created.some((n) => n.includes('gw_carrier')), 'nothing dialled out');
    await eventually('the caller, still waiting, reaches 1005', () => tookCall(h, '1005', caller), 15_000);
  });

  t.test('no caller number in the clear in any log line; failed originates log masked commands', async (t) => {
    const raw = ['13800138001', '13800138002', '13800138003', '13800138004', "1380013'8003"];
    const leaks = logLines.filter((l) => raw.some((n) => l.includes(n)));
    t.same(leaks, [], 'no caller number in the clear');
    const masked = records(logLines).filter((l) => JSON.stringify(l).includes('origination_caller_id_number=138******02'));
    t.ok(masked.length > 0, 'the failed originate is logged with the caller number masked');
  });
});
