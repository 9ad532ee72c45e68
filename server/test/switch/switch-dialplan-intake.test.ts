// Issue #15, intake by the dialplan (freeswitch.intake = "dialplan"), on the real FreeSWITCH 1.10.12
// and on fsim with the same bodies: the switch plays the welcome itself and fires hotline::intake,
// no outbound socket is opened, the service queues the caller with t0 at that event and serves it.
// The mode is a lease: with the service gone the switch puts "socket" back (later callers reach the
// fallback), and callers that arrived while it was away are taken in when it returns.
import t from 'tap';
import { startServer } from '../helpers/server-process.ts';
import { switchSuite } from './helpers/suite.ts';
import { withService } from './helpers/world-service.ts';
import { sleep, until, type BareWorld } from './helpers/world.ts';

const suite = switchSuite(t);
const DIALPLAN = { HOTLINE_FS_INTAKE: 'dialplan', HOTLINE_ACD_WRAP_UP_SEC: '0' };

const intakeMode = async (bare: BareWorld): Promise<string> => (await bare.tap.api('global_getvar hotline_intake')).trim();
/** The service sets the mode once connected and resynced: a scenario's calls wait for it. */
const dialplanMode = (bare: BareWorld): Promise<boolean> => until('the mode set on the switch', async () => (await intakeMode(bare)) === 'dialplan');
const ranSocket = (bare: BareWorld, uuid: string): boolean => bare.tap.of(uuid, 'CHANNEL_EXECUTE_COMPLETE').some((e) => e.get('Application') === 'socket');

suite.scenario('intake by the dialplan: the switch plays the welcome, no outbound socket; t0 at its intake event; served', async (t, w) => {
  t.ok(await dialplanMode(w), 'the service set the mode on the switch');
  await w.addAgent('1001', { general: 5 }, { answerAfterMs: 300, hangupAfterMs: 1500 });
  const c = await w.call({ from: '13800000071', to: '12345' });
  const uuid = await c.uuid();
  const intake = await until('the intake event', () => w.tap.of(uuid, 'CUSTOM').find((e) => e.get('Event-Subclass') === 'hotline::intake'));
  t.equal(intake.get('variable_hotline_line'), 'main', 'the event carries the line the dialplan tagged');
  const queuedUs = await until('queued', () => w.calls.registry.get(uuid)?.queuedUs);
  t.equal(queuedUs, intake.tsUs, 't0 is the intake event, the end of the welcome on the switch clock');
  t.ok(w.tap.played(uuid).some((f) => f.includes('welcome-12345')), 'the switch played the welcome');
  await c.done;
  t.notOk(ranSocket(w, uuid), 'no outbound socket was opened for the call');
  const rec = await until('CDR', async () => {
    const entries = await w.redis.xrange(`${w.config.redis.keyPrefix}:cdr`, '-', '+');
    const e = entries.find(([, f]) => f[1] === uuid);
    return e && JSON.parse(e[1][3]!);
  });
  t.equal(rec.outcome, 'answered', 'answered by the agent');
  t.equal(rec.agentId, '1001');
  t.equal(rec.line, 'main');
}, { world: { env: DIALPLAN } });

suite.scenario('intake by the dialplan, the 110 line: case data from the event, top priority', async (t, w) => {
  await dialplanMode(w);
  const c = await w.call({ from: '13800000072', to: '12345110', via: 'gw110', sipHeaders: { 'X-110-Case-Id': 'C20261207-0002', 'X-110-Summary': '%E5%99%AA%E9%9F%B3' } });
  const uuid = await c.uuid();
  const q = await until('queued', () => w.calls.queues.get(uuid));
  t.equal(q.queue, 'from110');
  t.equal(q.priority, 3, 'from110 priority');
  t.same(w.calls.registry.get(uuid)?.case110, { 'Case-Id': 'C20261207-0002', Summary: '噪音' }, '110 case data from the X-110 headers, via the event');
  t.ok(w.tap.played(uuid).some((f) => f.includes('from-110')), 'the switch played the 110 notice');
  t.notOk(ranSocket(w, uuid), 'no outbound socket');
}, { world: { env: DIALPLAN } });

suite.raw('the service away: its lease runs out (later callers reach the fallback); a caller that came meanwhile is taken in on its return', async (t, site) => {
  const bare = await site.bare(t, { env: { ...DIALPLAN, HOTLINE_FS_INTAKE_LEASE_SEC: '4' } });
  const first = startServer({ ...bare.env, HOTLINE_LOG_LEVEL: 'info' });
  t.teardown(() => first.child.kill('SIGKILL'));
  await first.listening;
  await dialplanMode(bare);
  first.child.kill('SIGKILL');
  await first.exited;

  // Within the lease: the dialplan still plays the welcome and parks the caller in the wait.
  const early = await bare.call({ from: '13800000073', to: '12345' });
  const earlyId = await early.uuid();
  const intake = await until('the early caller reached the wait', () => bare.tap.of(earlyId, 'CUSTOM')[0]);
  const answered = bare.tap.of(earlyId, 'CHANNEL_ANSWER')[0];

  // The lease runs out on the switch's own scheduler: "socket" again, so a caller now meets the
  // service-down fallback (the socket cannot connect; the overflow number) instead of waiting for nobody.
  await until('the switch took the mode back', async () => (await intakeMode(bare)) === 'socket', 10_000);
  const late = await bare.call({ from: '13800000074', to: '12345' });
  const lateId = await late.uuid();
  // The overflow number's own answer is the gateway's business (tested with the fallback elsewhere).
  const fallback = await until('the late caller went to the fallback', () => bare.tap.of(lateId, 'CHANNEL_EXECUTE_COMPLETE').find((e) => e.get('Application-Data') === 'hotline_fallback=service_unreachable'), 15_000);
  t.ok(fallback && ranSocket(bare, lateId), 'the late caller tried the socket, then reached the service-down fallback');

  const w = await withService(t, bare);
  const q = await until('the early caller taken in', () => w.calls.queues.get(earlyId), 10_000);
  t.ok(answered && q.t0Us >= answered.tsUs - 1_000 && q.t0Us <= intake.tsUs, `t0 at the caller's answer (${q.t0Us - (answered?.tsUs ?? 0)} µs from CHANNEL_ANSWER, ${intake.tsUs - q.t0Us} µs before the intake event), never after the welcome's end: its wait is not counted short`);
  t.equal(q.queue, 'general');
  t.equal(ranSocket(bare, earlyId), false, 'the early caller never had a socket');
  await w.addAgent('1002', { general: 5 }, { answerAfterMs: 200, hangupAfterMs: 500 });
  await early.done;
  const bridged = bare.tap.of(earlyId, 'CHANNEL_BRIDGE')[0];
  t.equal(bare.tap.legsOf(earlyId, 'agent')[0]?.uuid, bridged?.get('Other-Leg-Unique-ID'), 'served by the agent once the service was back');
  await sleep(200);
}, { timeout: 120_000 });
