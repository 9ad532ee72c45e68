// Faults between the service and FreeSWITCH: a connection dropped in the middle of a command, the
// reconnect with backoff and the resync that follows, and handler errors kept away from the ESL
// library's callbacks.
import t from 'tap';
import pino from 'pino';
import { InboundNode } from '../src/freeswitch/inbound-node.ts';
import { FreeSwitchDisconnected } from '../src/freeswitch/errors.ts';
import { GAP_CAUSE } from '../src/freeswitch/resync.ts';
import { eventually, startHarness } from './helpers/service.ts';
import { ESL_PASSWORD, withFsim } from './helpers/fsim.ts';

const silent = pino({ level: 'silent' });

t.test('a dropped connection rejects the pending command at once, not at its timeout', async (t) => {
  const fsim = await withFsim(t, { serviceSocket: '127.0.0.1:9' });
  fsim.sw.registerUser('1001', { neverAnswer: true });
  let up: (() => void) | undefined;
  const node = new InboundNode(
    { name: 'fs1', host: '127.0.0.1', port: fsim.eslPort, password: ESL_PASSWORD, commandTimeoutMs: 5000, reconnect: { initialMs: 100, maxMs: 1000, jitter: 0 }, events: ['CHANNEL_CREATE'], logger: silent },
    { onEvent: () => {}, onConnected: () => up?.(), onDisconnected: () => {} },
  );
  const connected = new Promise<void>((r) => (up = r));
  node.start();
  t.teardown(() => node.stop());
  await connected;
  // A blocking originate to a phone that never answers: FreeSWITCH answers only after 30 s.
  const pending = node.api('originate {originate_timeout=30}user/1001 &park');
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  fsim.dropEslClients();
  await t.rejects(pending, FreeSwitchDisconnected);
  t.ok(Date.now() - started < 1000, `rejected in ${Date.now() - started} ms, well within the 5 s timeout`);
  t.equal(node.connected, false);
  const reconnected = new Promise<void>((r) => (up = r));
  await reconnected;
  t.match(await node.api('status'), /^UP/, 'reconnected by itself and usable again');
});

t.test('reconnect with backoff, then resync: calls ended in the gap get their CDR, live ones go on', async (t) => {
  const h = await startHarness(t, { node: { reconnect: { initialMs: 1500, maxMs: 3000, jitter: 0 }, commandTimeoutMs: 2000 } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  const place = async (from: string) => ((await h.control('/calls', { from, to: '12345', profile: 'external' })).json as { uuid: string }).uuid;
  const gone = await place('13800000011');
  const alive = await place('13800000012');
  await eventually('both queued', async () => (await calls.queues.list('general')).length === 2);

  h.fsim.dropEslClients();
  await eventually('disconnect noticed', () => !calls.nodeStatus()[0]?.connected);
  // While the service is cut off, one caller gives up: the service sees no event for it.
  await h.control(`/calls/${gone}/hangup`, { cause: 'NORMAL_CLEARING' });
  await new Promise((r) => setTimeout(r, 300));
  t.ok(calls.registry.get(gone), 'not known yet: the hangup happened in the gap');

  await eventually('reconnected', () => calls.nodeStatus()[0]?.connected, 10_000);
  const cdr = await eventually('CDR of the call that ended in the gap', async () => {
    const entries = await h.redis.xrange(`${h.config.redis.keyPrefix}:cdr`, '-', '+');
    const e = entries.find(([, f]) => f[1] === gone);
    return e && JSON.parse(e[1][3]!);
  });
  t.equal(cdr.hangupCause, GAP_CAUSE);
  t.equal(cdr.outcome, 'abandoned');
  t.equal(calls.registry.get(alive)?.state, 'queued', 'the live call goes on');
  // The CDR and the queue removal are separate writes that follow the same hangup: either may land first.
  await eventually('the call that ended in the gap left its queue', async () => JSON.stringify(await calls.queues.list('general')) === JSON.stringify([alive]));

  // Events flow again after the resync: the live call's hangup is seen normally.
  await h.control(`/calls/${alive}/hangup`, { cause: 'NORMAL_CLEARING' });
  const cdr2 = await eventually('CDR after reconnect', async () => {
    const entries = await h.redis.xrange(`${h.config.redis.keyPrefix}:cdr`, '-', '+');
    const e = entries.find(([, f]) => f[1] === alive);
    return e && JSON.parse(e[1][3]!);
  });
  t.equal(cdr2.hangupCause, 'NORMAL_CLEARING');
});

t.test('a handler that throws never reaches the ESL library: the node keeps working', async (t) => {
  const fsim = await withFsim(t, { serviceSocket: '127.0.0.1:9' });
  const errors: unknown[] = [];
  const log = pino({ level: 'error' }, { write: (line: string) => void errors.push(JSON.parse(line)) });
  let up: (() => void) | undefined;
  let seen = 0;
  const node = new InboundNode(
    { name: 'fs1', host: '127.0.0.1', port: fsim.eslPort, password: ESL_PASSWORD, commandTimeoutMs: 2000, reconnect: { initialMs: 100, maxMs: 1000, jitter: 0 }, events: ['ALL'], logger: log },
    {
      onEvent: () => {
        seen++;
        throw new Error('handler bug');
      },
      onConnected: async () => {
        up?.();
        throw new Error('async handler bug');
      },
      onDisconnected: () => {},
    },
  );
  const connected = new Promise<void>((r) => (up = r));
  node.start();
  t.teardown(() => node.stop());
  await connected;
  fsim.sw.placeCall({ from: '13800000013', to: '9999', profile: 'external' });
  await eventually('events delivered despite the throwing handler', () => seen > 3);
  t.ok(node.connected, 'still connected');
  t.match(await node.api('status'), /^UP/, 'commands still answered');
  t.ok(errors.some((e) => (e as { msg?: string }).msg === 'onEvent handler failed'), 'the error is logged');
  t.ok(errors.some((e) => (e as { msg?: string }).msg === 'onConnected handler failed'), 'async errors are logged too');
});
