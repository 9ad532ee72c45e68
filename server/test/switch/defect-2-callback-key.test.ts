// Issue #11, defect 2: the callback key never worked on the real switch. Waiting callers sat in
// endless_playback, which never dequeues DTMF, and FreeSWITCH raises the DTMF event only when an
// application dequeues the digit. hotline_wait now plays with `playback`, which reads keys.
import t from 'tap';
import { switchSuite } from './helpers/suite.ts';
import { until } from './helpers/world.ts';

const suite = switchSuite(t);

suite.scenario('a waiting caller presses the callback key: the switch reports it and the place is kept', async (t, w) => {
  // No agent: the caller waits in hotline_wait, then presses 1 (the general queue's callback key).
  const c = await w.call({ from: '13812340001', to: '12345', dtmf: [{ afterMs: 7000, digits: '1' }], hangupAfterMs: 15_000 });
  const uuid = await c.uuid();
  await until('queued', () => w.calls.queues.get(uuid));
  const dtmf = await until('DTMF event from the switch', () => w.tap.of(uuid, 'DTMF')[0], 15_000);
  t.equal(dtmf.get('DTMF-Digit'), '1', 'FreeSWITCH raised the DTMF event for the waiting caller');
  const cb = await until('callback noted', async () => (await w.calls.queues.get(uuid))?.callback, 10_000);
  t.same(cb, { number: '13812340001', attempts: 0 }, 'the callback is registered with the caller number');
});
