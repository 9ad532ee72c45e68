// Issue #11, defect 4: the service's socket dropping mid-welcome (the process crashed or was
// killed while the caller was in the IVR). The switch must not hang up the citizen: it goes on in
// the dialplan (hotline_fallback=service_unreachable, the notice, the overflow bridge through the
// carrier gateway). When the service is back, the call is recorded with its fallback (outcome
// overflow) and not as an IVR-only call.
//
// The first service runs as a process of its own (server.ts) so that SIGKILL drops its sockets the
// way a crash does: no graceful shutdown, no hang-up. The second runs in this process.
import t from 'tap';
import { DEFAULT_FLOWS } from '../../src/ivr/default-flows.ts';
import { startServer } from '../helpers/server-process.ts';
import { switchSuite } from './helpers/suite.ts';
import { withService } from './helpers/world-service.ts';
import { until } from './helpers/world.ts';

const suite = switchSuite(t);

// The welcome is a menu that waits 3 s for a digit: a window wide enough to kill the service in on
// both switches (fsim plays every prompt in 300 ms). The switch finishes the application the
// service started (the digit wait) before it goes on in the dialplan.
const flows = {
  ...DEFAULT_FLOWS,
  flows: {
    ...DEFAULT_FLOWS.flows,
    main: {
      start: 'welcome',
      nodes: {
        welcome: { type: 'menu', prompt: 'welcome-12345.wav', options: { '1': 'queue' }, timeoutMs: 3000, maxTries: 1, onFail: 'queue' },
        queue: { type: 'queue', queue: 'general' },
      },
    },
  },
};

const OVERFLOW_NUMBER = '4000012345';

suite.raw('the service is killed mid-welcome: the dialplan overflows the caller and the CDR records the fallback', async (t, site) => {
  const bare = await site.bare(t, { flows });
  // server-process reads the "listening" line of the JSON log.
  const first = startServer({ ...bare.env, HOTLINE_LOG_LEVEL: 'info' });
  t.teardown(() => first.child.kill('SIGKILL'));
  await first.listening;
  const c = await bare.call({ from: '13800000041', to: '12345', hangupAfterMs: 12_000 });
  const uuid = await c.uuid();
  await until('the caller hears the welcome', () => bare.tap.played(uuid).some((f) => f.includes('welcome-12345')), 20_000);
  first.child.kill('SIGKILL');
  t.equal((await first.exited).signal, 'SIGKILL', 'the service died without a shutdown');

  await until('the fallback notice', () => bare.tap.played(uuid).some((f) => f.includes('service_unavailable')), 10_000);
  const overflow = await until('the overflow leg', () =>
    bare.tap.events.find((e) => e.name === 'CHANNEL_CREATE' && e.direction === 'outbound' && e.get('Caller-Destination-Number') === OVERFLOW_NUMBER), 10_000);
  await until('the caller bridged to the overflow number', () => bare.tap.of(uuid, 'CHANNEL_BRIDGE').length > 0 || bare.tap.of(overflow.uuid, 'CHANNEL_BRIDGE').length > 0, 10_000);
  t.equal(bare.tap.of(uuid, 'CHANNEL_HANGUP_COMPLETE').length, 0, 'the caller is still on the line');

  // The service is back while the caller talks to the overflow center.
  const w = await withService(t, bare);
  await c.done;
  const cdr = await until('CDR', async () => {
    const entries = await w.redis.xrange(`${w.config.redis.keyPrefix}:cdr`, '-', '+');
    const e = entries.find(([, f]) => f[1] === uuid);
    return e && (JSON.parse(e[1][3]!) as Record<string, unknown>);
  }, 20_000);
  t.match(cdr.fallback, { reason: 'service_unreachable', number: OVERFLOW_NUMBER }, 'the CDR has the fallback');
  t.equal(cdr.outcome, 'overflow', 'served by the overflow center, not ivr-only');
  t.match(cdr.transfers, [{ from: 'fallback', to: OVERFLOW_NUMBER }], 'the overflow bridge is recorded as a transfer');
  t.equal(cdr.line, 'main');
}, { timeout: 120_000 });
