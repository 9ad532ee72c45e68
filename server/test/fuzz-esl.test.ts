// Fuzz, ESL part (the REST and Socket.IO part is fuzz-rest/socket): generated frames from a fixed
// seed, sent to the running service's outbound-socket listener by a hostile "switch", and to an
// inbound client by a fake ESL server. Pass: no exception escapes (in the service that would be a
// process exit), agents and queues are what they were, and afterwards the listener still serves a
// real call from fsim to an agent. Prints its counts; bounded in time.
import t from 'tap';
import net from 'node:net';
import pino from 'pino';
import { InboundNode } from '../src/freeswitch/inbound-node.ts';
import { randomEslFrame, randomUuid, rng } from './helpers/fuzz.ts';
import { answerInbound, channelData, rawInboundSwitch, replyFrame, SwitchSide } from './helpers/raw-switch.ts';
import { eventually, startHarness, type Harness } from './helpers/service.ts';

const SEED = 0x5e51;
const OUTBOUND_CONNECTIONS = 1500;
const INBOUND_FRAMES = 2000;
const PARALLEL = 25;

const escaped: unknown[] = [];
const guard = (err: unknown): void => void escaped.push(err);
process.on('uncaughtException', guard);
process.on('unhandledRejection', guard);
t.teardown(() => {
  process.off('uncaughtException', guard);
  process.off('unhandledRejection', guard);
});

async function snapshot(h: Harness): Promise<unknown> {
  const calls = h.service.calls!;
  const agents = (await calls.acd.agents.list()).map(({ id, state, reason, phone, skills }) => ({ id, state, reason, phone, skills }));
  const queues = await Promise.all(calls.acd.queues.map(async (q) => [q.name, await calls.queues.list(q.name)]));
  return { agents, queues, live: calls.registry.live().length };
}

/** One hostile connection to the outbound listener; resolves with the frames it sent. */
async function hostileConnection(port: number, r: () => number): Promise<number> {
  const socket = net.connect(port, '127.0.0.1');
  const side = new SwitchSide(socket, () => {});
  await new Promise((ok) => (socket.once('connect', ok), socket.once('close', ok)));
  let frames = 0;
  const mode = r();
  if (mode < 0.8) await side.next('connect', 2000).catch(() => undefined);
  if (mode < 0.4) {
    // A well-formed call, then garbage on it.
    side.write(replyFrame('+OK\n', channelData(randomUuid(r))));
    frames++;
    await side.next('myevents', 500).catch(() => undefined);
  }
  for (let i = 1 + Math.floor(r() * 4); i > 0; i--) {
    side.write(randomEslFrame(r));
    frames++;
  }
  await Promise.race([side.closed, new Promise((ok) => setTimeout(ok, 20 + Math.floor(r() * 40)))]);
  socket.destroy();
  return frames;
}

t.test(`ESL fuzz, seed ${SEED}`, async (t) => {
  const started = Date.now();
  const h = await startHarness(t, { timeScale: 0.1, env: { HOTLINE_ACD_WRAP_UP_SEC: '0' } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  h.fsim.sw.registerUser('1001', { answerAfterMs: 200, hangupAfterMs: 60_000 });
  await calls.acd.agents.create({ id: '1001', name: '1001', phone: 'user/1001', skills: { general: 5 } });
  await calls.acd.agents.apply('1001', { type: 'login' }, 'test');
  const before = await snapshot(h);
  const r = rng(SEED);

  // Outbound: hostile switches on the service's listener.
  let outboundFrames = 0;
  for (let done = 0; done < OUTBOUND_CONNECTIONS; done += PARALLEL) {
    const batch = Array.from({ length: Math.min(PARALLEL, OUTBOUND_CONNECTIONS - done) }, () => hostileConnection(calls.outboundPort, rng(Math.floor(r() * 2 ** 32))));
    outboundFrames += (await Promise.all(batch)).reduce((a, b) => a + b, 0);
  }
  const refused = await h.service.metrics.getSingleMetric('hotline_esl_outbound_refused_total')?.get();
  const refusedTotal = (refused?.values ?? []).reduce((a, v) => a + v.value, 0);

  // Inbound: a fake switch that answers the handshake, then sends generated frames.
  let inboundFrames = 0;
  let connections = 0;
  const sw = await rawInboundSwitch((side, f) => {
    answerInbound(side, f);
    if (!f.command.startsWith('event ')) return;
    connections++;
    const burst = (): void => {
      if (side.socket.destroyed || inboundFrames >= INBOUND_FRAMES) return;
      side.write(randomEslFrame(r));
      inboundFrames++;
      setImmediate(burst);
    };
    burst();
  });
  t.teardown(() => sw.close());
  let protocolErrors = 0;
  const node = new InboundNode(
    { name: 'fuzz', host: '127.0.0.1', port: sw.port, password: 'pw', commandTimeoutMs: 1000, reconnect: { initialMs: 5, maxMs: 20, jitter: 0 }, events: ['ALL'], logger: pino({ level: 'silent' }), onProtocolError: () => void protocolErrors++ },
    { onEvent: () => {}, onConnected: () => {}, onDisconnected: () => {} },
  );
  node.start();
  t.teardown(() => node.stop());
  await eventually('inbound frames sent', () => inboundFrames >= INBOUND_FRAMES, 60_000);
  // Frames already on the wire may still end the connection the client has just opened: it
  // reconnects again, and then the switch is quiet.
  const status = await eventually('the inbound client answers again', () => (node.connected ? node.api('status').catch(() => undefined) : undefined), 5000);
  t.match(status, /^UP/, 'the inbound client works after the garbage');

  t.comment(`outbound: ${OUTBOUND_CONNECTIONS} connections, ${outboundFrames} frames, ${refusedTotal} refused or ended by a protocol error`);
  t.comment(`inbound: ${inboundFrames} frames over ${connections} connections, ${protocolErrors} protocol errors`);
  t.comment(`total: ${OUTBOUND_CONNECTIONS + outboundFrames + inboundFrames} connections and frames in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  t.ok(outboundFrames + inboundFrames >= 4000, 'at least 4,000 frames');
  t.same(escaped, [], '0 exceptions escaped (0 process exits)');
  await eventually('fuzzed calls gone', async () => JSON.stringify(await snapshot(h)) === JSON.stringify(before), 10_000).catch(() => undefined);
  t.same(await snapshot(h), before, 'agents, queues and live calls as before');

  // And a real call still goes through the listener to the agent.
  calls.acd.agentBecameReady('1001');
  const uuid = h.fsim.sw.placeCall({ from: '13800138099', to: '12345', profile: 'external' });
  await eventually('the good call reaches the agent', () => calls.registry.get(uuid)?.state === 'talking', 20_000);
  t.pass('a good call is served after the fuzz');
  t.ok(Date.now() - started < 90_000, `bounded: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
