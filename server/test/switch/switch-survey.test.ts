// Issue #14, the satisfaction survey on the real FreeSWITCH and on fsim: when the agent hangs up
// first the caller is transferred (transfer_after_bridge, armed by the service at the bridge) to
// the dialplan's hotline_survey, which reads one RFC 2833 key with play_and_get_digits; the key
// lands on the call's CDR with its agent and queue. No key: "not rated". A caller who hangs up
// first is never asked.
import t from 'tap';
import { switchSuite } from './helpers/suite.ts';
import { until, type World } from './helpers/world.ts';

const suite = switchSuite(t);

async function cdrOf(w: World, uuid: string): Promise<Record<string, unknown>> {
  return until(`CDR of ${uuid.slice(0, 8)}`, async () => {
    const entries = await w.redis.xrange(`${w.config.redis.keyPrefix}:cdr`, '-', '+');
    const e = entries.find(([, f]) => f[1] === uuid);
    return e && (JSON.parse(e[1][3]!) as Record<string, unknown>);
  }, 30_000);
}

const executed = (w: World, uuid: string, app: string) => w.tap.of(uuid, 'CHANNEL_EXECUTE_COMPLETE').filter((e) => e.get('Application') === app);

suite.scenario('the agent hangs up first: the caller presses 1 in the survey, the CDR says satisfied', async (t, w) => {
  await w.addAgent('1030', { general: 5 }, { answerAfterMs: 300, hangupAfterMs: 2000 });
  // Welcome 1 s, ring 0.3 s, talk 2 s: the survey starts about 3.5 s after the answer; the key at 6 s.
  const c = await w.call({ from: '13812340031', to: '12345', dtmf: [{ afterMs: 6000, digits: '1' }], hangupAfterMs: 20_000 });
  const uuid = await c.uuid();
  await c.done;
  const pagd = await until('play_and_get_digits done on the caller leg', () => executed(w, uuid, 'play_and_get_digits')[0], 10_000);
  t.match(pagd.get('Application-Data') ?? '', /survey\.wav/, 'the survey prompt was played to the caller');
  const dtmf = w.tap.of(uuid, 'DTMF');
  t.same(dtmf.map((e) => e.get('DTMF-Digit')), ['1'], 'the switch read the caller\'s key 1');
  const agentLeg = w.tap.legsOf(uuid, 'agent')[0];
  t.ok(agentLeg, 'the agent leg existed');
  const agentEnd = (await until('agent leg hung up', () => w.tap.of(agentLeg!.uuid, 'CHANNEL_HANGUP_COMPLETE')[0])).tsUs;
  t.ok(pagd.tsUs > agentEnd, 'the survey ran after the agent had hung up');
  const cdr = await cdrOf(w, uuid);
  t.equal(cdr.outcome, 'answered');
  t.equal(cdr.agentId, '1030', 'the CDR names the agent');
  t.equal(cdr.queue, 'general', 'and the queue');
  t.same(cdr.survey, { rating: 'satisfied', digit: '1' }, 'the key is on the CDR as satisfied');
  // The wallboard's figures: the center's and the call's queue's rates (issue #14: per queue on the wallboard).
  const board = await until('the board counts the rating', async () => {
    const b = await w.calls.ops.service.board();
    return b.satisfaction.surveyed > 0 ? b : undefined;
  });
  t.same(board.satisfaction, { surveyed: 1, notSatisfied: 0, notRated: 0, rate: 1 }, 'the wallboard counts the rating for the center');
  t.same(board.queueSatisfaction['queue:general'], { surveyed: 1, notSatisfied: 0, notRated: 0, rate: 1 }, 'and for its queue');
}, { timeout: 60_000 });

suite.scenario('the agent hangs up first, the caller presses nothing: not rated', async (t, w) => {
  await w.addAgent('1031', { general: 5 }, { answerAfterMs: 300, hangupAfterMs: 1500 });
  const c = await w.call({ from: '13812340032', to: '12345', hangupAfterMs: 20_000 });
  const uuid = await c.uuid();
  await until('the caller in the survey', () => executed(w, uuid, 'set').some((e) => e.get('Application-Data') === 'hotline_survey=offered'), 15_000);
  // The tap saw the survey begin; the service reads the same event on its own connection, which
  // may be a moment behind under load (a run on the real switch read 'queued' here): it gets up to
  // 3 s, while the caller hears the prompt and then 2 s of silence (checked: still up after).
  const during = await until('the service sees the survey', () => w.calls.registry.get(uuid)?.state === 'ended' && w.calls.registry.get(uuid), 3_000).catch(() => w.calls.registry.get(uuid));
  t.equal(during?.state, 'ended', 'while the caller answers the survey the call is over for the center (not waiting again)');
  t.equal(w.tap.of(uuid, 'CHANNEL_HANGUP').length, 0, 'the caller was still in the survey then');
  t.equal(await w.calls.queues.get(uuid), undefined, 'and not in a queue');
  await c.done;
  t.ok(executed(w, uuid, 'play_and_get_digits').length, 'the caller was asked');
  t.equal(w.tap.of(uuid, 'DTMF').length, 0, 'no key reached the switch');
  const cdr = await cdrOf(w, uuid);
  t.equal(cdr.agentId, '1031');
  t.same(cdr.survey, { rating: 'not-rated', digit: null }, 'the CDR says not rated');
}, { timeout: 60_000, world: { env: { HOTLINE_SURVEY: JSON.stringify({ timeoutSec: 2 }) } } });

suite.scenario('the caller hangs up first: no survey', async (t, w) => {
  await w.addAgent('1032', { general: 5 }, { answerAfterMs: 300 });
  const c = await w.call({ from: '13812340033', to: '12345', hangupAfterMs: 4000 });
  const uuid = await c.uuid();
  await c.done;
  const cdr = await cdrOf(w, uuid);
  t.equal(cdr.outcome, 'answered');
  t.equal(executed(w, uuid, 'play_and_get_digits').length, 0, 'the switch never ran the survey');
  t.equal(cdr.survey, null, 'no survey on the CDR');
}, { timeout: 60_000 });
