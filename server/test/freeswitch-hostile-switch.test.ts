// A switch that sends garbage, on both sides of the wire. The outbound-socket listener must end
// only the offending connection (counted in /metrics), time out idle peers, refuse addresses that
// are not the switch's, cap what it buffers, and still serve a good call afterwards; the inbound
// client must drop a garbled connection, reconnect with backoff and resync. With drachtio-modesl
// (before), each crashing frame below threw inside the socket's data handler and ended the process.
import t from 'tap';
import pino from 'pino';
import net from 'node:net';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { InboundNode } from '../src/freeswitch/inbound-node.ts';
import { startOutboundServer } from '../src/freeswitch/outbound-server.ts';
import type { OutboundCall } from '../src/freeswitch/outbound-call.ts';
import { createSwitchMetrics } from '../src/switch-metrics.ts';
import { channelData, CRASHING_FRAMES, dialAsSwitch, jsonEventFrame, rawInboundSwitch, replyFrame } from './helpers/raw-switch.ts';

const silent = pino({ level: 'silent' });
const CAP = 256;

// Any exception escaping a socket handler would land here (and, in the service, end the process).
const escaped: unknown[] = [];
const guard = (err: unknown): void => void escaped.push(err);
process.on('uncaughtException', guard);
t.teardown(() => void process.off('uncaughtException', guard));

async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = (m?.values as { value: number; labels: Record<string, string> }[] | undefined)?.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

t.test('outbound-socket listener: hostile peers end their own connection, never the process', async (t) => {
  const registry = new Registry();
  const metrics = createSwitchMetrics(registry);
  const calls: OutboundCall[] = [];
  const callFor = async (uuid: string): Promise<OutboundCall> => {
    for (let i = 0; i < 200; i++) {
      const c = calls.find((x) => x.uuid === uuid);
      if (c) return c;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no call ${uuid}`);
  };
  const server = await startOutboundServer(
    // A cap below MAX_HANDSHAKES, so that 3,000 connections in batches reach it within the timeout.
    { host: '127.0.0.1', port: 0, node: 'fs1', logger: silent, allowFrom: ['127.0.0.1'], connectTimeoutMs: 300, maxHandshakes: CAP, onRefused: (why) => metrics.outboundRefused(why) },
    (c) => void calls.push(c),
  );
  t.teardown(() => server.close());

  t.test('each crashing frame closes that connection only', async (t) => {
    for (const [what, frame] of Object.entries(CRASHING_FRAMES)) {
      const side = await dialAsSwitch(server.port, { uuid: randomUUID() });
      await side.next('nixevent');
      side.write(frame);
      await Promise.race([side.closed, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: connection not closed`)), 2000))]);
      t.pass(`${what}: connection closed`);
    }
    t.equal(await metricValue(registry, 'hotline_esl_outbound_refused_total', { reason: 'protocol' }), Object.keys(CRASHING_FRAMES).length, 'each one counted');
  });

  t.test('a channel-data value with a bad percent escape is kept as sent (FreeSWITCH sends those)', async (t) => {
    const uuid = randomUUID();
    // hotline_110_summary: the dialplan copies the 110 system's X-110-Summary header into it raw.
    const reply = replyFrame('+OK\n', channelData(uuid)).replace('variable_hotline_line: main', 'variable_hotline_line: main\nvariable_hotline_110_summary: 100%25 sure %E4%B8 %zz');
    const side = await dialAsSwitch(server.port, { uuid, connectReply: reply.replace('100%25', '100%') });
    t.teardown(() => side.socket.destroy());
    const call = await callFor(uuid);
    t.equal(call.channel.get('variable_hotline_110_summary'), '100% sure %E4%B8 %zz');
  });

  t.test('an event-xml frame with broken XML is skipped: the service never asks for XML', async (t) => {
    const uuid = randomUUID();
    const side = await dialAsSwitch(server.port, { uuid });
    t.teardown(() => side.socket.destroy());
    await side.next('nixevent');
    side.write('Content-Length: 14\nContent-Type: text/event-xml\n\n<event><header');
    const call = await callFor(uuid);
    const done = await call.execute('answer');
    t.equal(done.get('Application'), 'answer', 'the call goes on');
  });

  t.test('channel data whose Unique-ID carries a second command is refused', async (t) => {
    const uuid = randomUUID();
    const side = await dialAsSwitch(server.port, { uuid, connectReply: replyFrame('+OK\n', channelData(`${uuid}\napi originate user/1 &park`)) });
    await side.closed;
    t.notOk(calls.some((c) => c.uuid.startsWith(uuid)), 'no call');
    // The handshake's three commands go out together; none depends on the channel data.
    t.same(side.frames.map((f) => f.command.split(' ')[0]), ['connect', 'myevents', 'nixevent'], 'nothing sent after the channel data');
    t.equal(await metricValue(registry, 'hotline_esl_outbound_refused_total', { reason: 'channel-data' }), 1);
  });

  t.test('the handshake is one round trip, and an event in the same read as its replies reaches the call', async (t) => {
    const uuid = randomUUID();
    const socket = net.connect({ port: server.port, host: '127.0.0.1' });
    t.teardown(() => socket.destroy());
    let got = '';
    // All three commands arrive before the switch has answered any of them.
    await new Promise<void>((resolve) => {
      socket.on('data', (c: Buffer) => {
        got += c.toString('utf8');
        if (/\nnixevent [^\n]*\n\n$/.test(`\n${got}`)) resolve();
      });
    });
    t.same(got.split('\n\n').filter(Boolean).map((c) => c.split(' ')[0]), ['connect', 'myevents', 'nixevent']);
    socket.write(
      replyFrame('+OK\n', channelData(uuid)) +
        replyFrame('+OK Events Enabled') +
        replyFrame('+OK events nixed') +
        jsonEventFrame({ 'Event-Name': 'CHANNEL_HANGUP', 'Unique-ID': uuid, 'Event-Sequence': '2', 'Event-Date-Timestamp': '1795316343008483', 'Hangup-Cause': 'NORMAL_CLEARING' }),
    );
    const call = await callFor(uuid);
    for (let i = 0; i < 100 && !call.hungUp; i++) await new Promise((r) => setTimeout(r, 10));
    t.ok(call.hungUp, 'the hang-up that came with the replies was not lost');
  });

  t.test('a peer that sends events instead of its channel data is cut off, not buffered', async (t) => {
    const before = await metricValue(registry, 'hotline_esl_outbound_refused_total', { reason: 'protocol' });
    const socket = net.connect({ port: server.port, host: '127.0.0.1' });
    t.teardown(() => socket.destroy());
    socket.on('error', () => {});
    const closed = new Promise((r) => socket.once('close', r));
    await new Promise((r) => socket.once('data', r)); // the handshake's commands, left unanswered
    const ev = jsonEventFrame({ 'Event-Name': 'CHANNEL_HANGUP', 'Unique-ID': randomUUID(), 'Event-Sequence': '1', 'Event-Date-Timestamp': '1795316343008483' });
    const started = Date.now();
    socket.write(ev.repeat(1000));
    await closed;
    t.ok(Date.now() - started < 250, 'closed before the connect timeout (300 ms)');
    t.equal(await metricValue(registry, 'hotline_esl_outbound_refused_total', { reason: 'protocol' }), before + 1, 'counted as a protocol breach');
  });

  t.test('a 32 MB header-less stream is cut at the cap; the event loop stays responsive', async (t) => {
    const side = await dialAsSwitch(server.port, { uuid: randomUUID(), connectReply: Buffer.alloc(0) });
    await side.next('connect');
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    let sent = 0;
    while (sent < 32 && !side.socket.destroyed) {
      if (!side.socket.write(chunk)) await Promise.race([new Promise((r) => side.socket.once('drain', r)), side.closed]);
      sent++;
    }
    await side.closed;
    lag.disable();
    t.ok(sent < 32, `closed after ${sent} MB of the 32 (the cap is 256 KiB; the rest sat in socket buffers)`);
    t.ok(lag.max / 1e6 < 250, `event loop delay at most ${(lag.max / 1e6).toFixed(1)} ms`);
  });

  t.test('idle connections time out, at most maxHandshakes wait at once, 3,000 tried', async (t) => {
    const sockets: net.Socket[] = [];
    const closed: Promise<unknown>[] = [];
    const started = Date.now();
    // In batches, as a client on one event loop can: 3,000 SYNs at once overflow the kernel's
    // accept queue (511) and the rest wait for SYN retries, which measures TCP, not the listener.
    for (let b = 0; b < 30; b++) {
      const batch: Promise<unknown>[] = [];
      for (let i = 0; i < 100; i++) {
        const s = net.connect(server.port, '127.0.0.1');
        s.on('error', () => {});
        s.resume(); // a paused socket never sees the server's close
        sockets.push(s);
        batch.push(new Promise((r) => (s.once('connect', r), s.once('close', r))));
        closed.push(new Promise((r) => s.once('close', r)));
      }
      await Promise.all(batch);
    }
    t.teardown(() => sockets.forEach((s) => s.destroy()));
    await Promise.all(closed);
    t.ok(Date.now() - started < 15_000, `all 3,000 closed by the listener in ${Date.now() - started} ms (timeout 300 ms)`);
    const busy = await metricValue(registry, 'hotline_esl_outbound_refused_total', { reason: 'busy' });
    const timedOut = await metricValue(registry, 'hotline_esl_outbound_refused_total', { reason: 'timeout' });
    t.equal(busy + timedOut, 3000, `${timedOut} timed out, ${busy} refused at once (over ${CAP} waiting)`);
    t.ok(busy > 0, 'the cap on waiting connections was reached');
  });

  t.test('a peer that is not a configured switch address is closed at once', async (t) => {
    // 127.0.0.2 is loopback on Linux, but not the address the listener allows.
    const side = await dialAsSwitch(server.port, { uuid: randomUUID(), localAddress: '127.0.0.2' });
    await side.closed;
    t.equal(side.received.length, 0, 'not even `connect` was sent to it');
    t.equal(await metricValue(registry, 'hotline_esl_outbound_refused_total', { reason: 'address' }), 1);
  });

  t.test('after all that, a good call is served', async (t) => {
    const uuid = randomUUID();
    const side = await dialAsSwitch(server.port, { uuid });
    t.teardown(() => side.socket.destroy());
    await side.next('nixevent');
    const call = await callFor(uuid);
    t.equal((await call.execute('playback', 'hotline/welcome.wav')).get('Application'), 'playback');
    t.equal(escaped.length, 0, 'no exception escaped a socket handler');
  });
});

t.test('inbound client: a garbled connection is dropped, reconnected with backoff and resynced', async (t) => {
  const sw = await rawInboundSwitch();
  t.teardown(() => sw.close());
  let connects = 0;
  let protocolErrors = 0;
  let connected: (() => void) | undefined;
  const node = new InboundNode(
    {
      name: 'fs1', host: '127.0.0.1', port: sw.port, password: 'pw', commandTimeoutMs: 1000,
      reconnect: { initialMs: 100, maxMs: 400, jitter: 0 }, events: ['ALL'], logger: silent,
      onProtocolError: () => void protocolErrors++,
    },
    { onEvent: () => {}, onConnected: () => (connects++, connected?.()), onDisconnected: () => {} },
  );
  const first = new Promise<void>((r) => (connected = r));
  node.start();
  t.teardown(() => node.stop());
  await first;
  const garbage: Record<string, string | Buffer> = {
    ...CRASHING_FRAMES,
    'a 32 MB header-less stream': Buffer.alloc(32 * 1024 * 1024, 'x'),
    'a header value with a bad percent escape, then a reply to no command': 'Content-Type: command/reply\nReply-Text: %E4%B8%zz\n\n',
  };
  delete garbage['a reply to no command'];
  const delays: number[] = [];
  for (const [what, frame] of Object.entries(garbage)) {
    const side = sw.sides.at(-1)!;
    const again = new Promise<void>((r) => (connected = r));
    side.write(frame);
    await side.closed;
    const started = Date.now();
    await again;
    delays.push(Date.now() - started);
    t.ok(node.connected, `${what}: reconnected after ${delays.at(-1)} ms`);
  }
  t.ok(delays[0]! < 300 && delays.slice(3).every((d) => d >= 350), `the delay grows while the switch keeps garbling (${delays.join(', ')} ms)`);
  t.equal(connects, Object.keys(garbage).length + 1, 'each reconnect resynced (onConnected ran)');
  t.equal(protocolErrors, Object.keys(garbage).length, 'each counted');
  t.match(await node.api('status'), /^UP/, 'usable again');
  t.equal(escaped.length, 0, 'no exception escaped a socket handler');
});

t.test('inbound client: a switch that never asks for auth is dropped and retried', async (t) => {
  const server = net.createServer((s) => s.on('error', () => {}));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  let accepted = 0;
  server.on('connection', () => accepted++);
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const node = new InboundNode(
    { name: 'fs1', host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, password: 'pw', commandTimeoutMs: 200, reconnect: { initialMs: 50, maxMs: 100, jitter: 0 }, events: ['ALL'], logger: silent },
    { onEvent: () => {}, onConnected: () => {}, onDisconnected: () => {} },
  );
  node.start();
  t.teardown(() => node.stop());
  await new Promise((r) => setTimeout(r, 900));
  t.ok(accepted >= 3, `gave up on a silent peer and retried (${accepted} connections in 0.9 s)`);
  t.notOk(node.connected);
});

