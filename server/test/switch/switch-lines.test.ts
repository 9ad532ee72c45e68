// Issue #11, on the real FreeSWITCH 1.10.12 and on fsim with the same bodies: the welcome prompt
// plays before the agent's phone rings; answer, bridge and two-way RTP; the three lines are tagged
// and routed, and the 110 line refuses callers that do not come from the 110 gateway.
import t from 'tap';
import { switchSuite } from './helpers/suite.ts';
import { until } from './helpers/world.ts';

const suite = switchSuite(t);

suite.scenario('welcome prompt, then the agent rings; answer, bridge, two-way RTP', async (t, w) => {
  await w.addAgent('1001', { general: 5 }, { answerAfterMs: 500, hangupAfterMs: 3000 });
  const c = await w.call({ from: '13800000001', to: '12345', audio: true });
  const uuid = await c.uuid();
  await c.done;
  await until('caller leg ended', () => w.tap.of(uuid, 'CHANNEL_HANGUP_COMPLETE')[0]);
  const welcome = w.tap.of(uuid, 'PLAYBACK_STOP').find((e) => /welcome-12345\.wav$/.test(e.get('Playback-File-Path') ?? ''));
  t.ok(welcome, 'the caller heard the welcome prompt to its end');
  const [offer] = w.tap.legsOf(uuid, 'agent');
  t.ok(offer, 'an agent leg was originated');
  if (!welcome || !offer) return;
  t.equal(offer.get('variable_hotline_agent_id'), '1001');
  const gapMs = (offer.tsUs - welcome.tsUs) / 1000;
  t.ok(gapMs >= 0 && gapMs < 1000, `the agent rang ${gapMs.toFixed(0)} ms after the welcome prompt ended`);
  const bridge = w.tap.of(uuid, 'CHANNEL_BRIDGE')[0];
  t.equal(bridge?.get('Other-Leg-Unique-ID'), offer.uuid, 'the caller was bridged to the agent leg');
  t.ok(w.tap.of(offer.uuid, 'CHANNEL_ANSWER').length, 'the agent answered');
  if (w.backend === 'real') {
    // FreeSWITCH's own RTP counters at hangup: media flowed both ways on both legs.
    for (const [leg, what] of [[uuid, 'caller'], [offer.uuid, 'agent']] as const) {
      const end = await until(`${what} leg hangup`, () => w.tap.of(leg, 'CHANNEL_HANGUP_COMPLETE')[0]);
      const inPk = Number(end.get('variable_rtp_audio_in_packet_count'));
      const outPk = Number(end.get('variable_rtp_audio_out_packet_count'));
      t.ok(inPk > 50 && outPk > 50, `${what} leg: ${inPk} RTP packets in, ${outPk} out`);
    }
  }
  const rec = await until('CDR', async () => {
    const entries = await w.redis.xrange(`${w.config.redis.keyPrefix}:cdr`, '-', '+');
    const e = entries.find(([, f]) => f[1] === uuid);
    return e && JSON.parse(e[1][3]!);
  });
  t.equal(rec.outcome, 'answered');
  t.equal(rec.agentId, '1001');
});

suite.scenario('three lines tagged and queued; the 110 line refuses the carrier', async (t, w) => {
  const main = await w.call({ from: '13800000011', to: '12345' });
  const ent = await w.call({ from: '13800000012', to: '123457' });
  const from110 = await w.call({ from: '13800000013', to: '12345110', via: 'gw110', sipHeaders: { 'X-110-Case-Id': 'C20261206-0001', 'X-110-Summary': '%E5%99%AA%E9%9F%B3' } });
  for (const [c, queue, line, priority, prompt] of [
    [main, 'general', 'main', 0, 'welcome-12345'],
    [ent, 'enterprise', 'enterprise', 0, 'welcome-enterprise'],
    [from110, 'from110', 'from110', 3, 'from-110'],
  ] as const) {
    const uuid = await c.uuid();
    const q = await until(`${line} queued`, () => w.calls.queues.get(uuid));
    t.equal(q.queue, queue, `${line}: queue ${queue}`);
    t.equal(q.priority, priority, `${line}: priority ${priority}`);
    t.equal(w.calls.registry.get(uuid)?.line, line, `${line}: tagged by the dialplan`);
    t.ok(w.tap.played(uuid).some((f) => f.includes(prompt)), `${line}: heard ${prompt}`);
  }
  t.same(w.calls.registry.get(await from110.uuid())?.case110, { 'Case-Id': 'C20261206-0001', Summary: '噪音' }, '110 case data from the X-110 headers');
  // The 110 DID from the carrier's address: refused by the dialplan, never reaches the service.
  const forged = await w.call({ from: '13800000014', to: '12345110', sipHeaders: { 'X-110-Case-Id': 'FORGED' } });
  const outcome = await forged.outcome();
  t.not(outcome, '200', `the carrier's call to the 110 DID is refused (${outcome})`);
  const leg = w.tap.callerLeg('13800000014');
  t.notOk(leg && w.calls.registry.get(leg), 'the refused call never reached the service');
});
