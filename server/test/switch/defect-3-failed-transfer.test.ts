// Issue #11, defect 3: a failed transfer out of the IVR hung up the citizen (hangup_after_bridge
// without continue_on_fail: a failed bridge ends the caller's leg). Now the caller is queued instead
// and the CDR records the failed transfer.
import t from 'tap';
import { DEFAULT_FLOWS } from '../../src/ivr/default-flows.ts';
import { switchSuite } from './helpers/suite.ts';
import { until } from './helpers/world.ts';

const suite = switchSuite(t);

const flows = {
  ...DEFAULT_FLOWS,
  lines: { ...DEFAULT_FLOWS.lines, main: 'police' },
  flows: { ...DEFAULT_FLOWS.flows, police: { start: 'out', nodes: { out: { type: 'transfer', target: '110', reason: 'to110' } } } },
};

suite.scenario('the 110 gateway is busy: the citizen is queued instead of dropped', async (t, w) => {
  const c = await w.call({ from: '13800000031', to: '12345', hangupAfterMs: 12_000 });
  const uuid = await c.uuid();
  const q = await until('queued after the failed transfer', () => w.calls.queues.get(uuid), 20_000);
  t.equal(q.queue, 'general', 'the caller waits for an agent');
  const rec = w.calls.registry.get(uuid);
  t.equal(rec?.state, 'queued', 'still on the line');
  t.match(rec?.transfers, [{ kind: 'to110', to: '110', failed: /\w+/ }], 'the transfer is recorded as failed');
  await c.done;
  const cdr = await until('CDR', async () => {
    const entries = await w.redis.xrange(`${w.config.redis.keyPrefix}:cdr`, '-', '+');
    const e = entries.find(([, f]) => f[1] === uuid);
    return e && JSON.parse(e[1][3]!);
  });
  t.match(cdr.transfers, [{ kind: 'to110', failed: /\w+/ }]);
  t.equal(cdr.outcome, 'abandoned', 'counted in the queue as any waiting caller');
}, { world: { flows, gateways: { gw110: { busy: true } } } });
