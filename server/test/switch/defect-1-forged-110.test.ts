// Issue #11, defect 1: forged 110 case data was trusted. The registry copied the sip_h_X-110-*
// variables of any CHANNEL_CREATE into the call's case data, before the dialplan's source-address
// check ran. Case data now comes only from a call the dialplan accepted as from-110.
import t from 'tap';
import { switchSuite } from './helpers/suite.ts';
import { until, type World } from './helpers/world.ts';

const suite = switchSuite(t);

async function cdrOf(w: World, callId: string): Promise<Record<string, unknown>> {
  return until('CDR', async () => {
    const entries = await w.redis.xrange(`${w.config.redis.keyPrefix}:cdr`, '-', '+');
    const e = entries.find(([, f]) => f[1] === callId);
    return e && (JSON.parse(e[1][3]!) as Record<string, unknown>);
  });
}

suite.scenario('a carrier call to 12345 with forged X-110 headers carries no case data', async (t, w) => {
  const c = await w.call({ from: '13800000021', to: '12345', sipHeaders: { 'X-110-Case-Id': 'FAKE-0001', 'X-110-Summary': 'forged' }, hangupAfterMs: 6000 });
  const uuid = await c.uuid();
  const q = await until('queued', () => w.calls.queues.get(uuid));
  t.equal(q.queue, 'general', 'an ordinary 12345 call');
  t.equal(w.calls.registry.get(uuid)?.line, 'main');
  t.equal(w.calls.registry.get(uuid)?.case110, undefined, 'no forged case on the call (the agent screen pop shows none)');
  await c.done;
  const cdr = await cdrOf(w, uuid);
  t.equal(cdr.case110, null, 'no forged case in the CDR');
});

suite.scenario('the 110 line from the wrong address is refused and its record holds no case data', async (t, w) => {
  const c = await w.call({ from: '13800000022', to: '12345110', sipHeaders: { 'X-110-Case-Id': 'FAKE-0002' } });
  t.not(await c.outcome(), '200', 'refused by the dialplan');
  const uuid = await c.uuid();
  const cdr = await cdrOf(w, uuid);
  t.equal(cdr.case110, null, 'the refused call has no case data');
  t.not(cdr.line, 'from110', 'and is not on the 110 line');
});
