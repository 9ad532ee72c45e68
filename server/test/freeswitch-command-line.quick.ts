// The inbound node's two connections (inbound-node.ts, `commandLine`): events and the service's
// filters on one, api/bgapi on the other while both are up; the event connection takes the
// commands again when the command connection is gone, and alone decides whether the node is up.
import t from 'tap';
import { createLogger } from '../src/log.ts';
import { EVENT_FILTERS, SUBSCRIBED_EVENTS } from '../src/freeswitch/event-map.ts';
import { InboundNode } from '../src/freeswitch/inbound-node.ts';
import { rawInboundSwitch, type SwitchSide } from './helpers/raw-switch.ts';

const silent = createLogger({ level: 'silent' });
const commandsOf = (side: SwitchSide): string[] => side.frames.map((f) => f.command).filter((c) => !c.startsWith('auth '));

t.test('commands go over a connection of their own; the event connection keeps events and filters', async (t) => {
  const sw = await rawInboundSwitch();
  t.teardown(() => sw.close());
  let connected = 0;
  let disconnected = 0;
  const node = new InboundNode(
    {
      name: 'fs1', host: '127.0.0.1', port: sw.port, password: 'pw', commandTimeoutMs: 1000, reconnect: { initialMs: 50, maxMs: 200, jitter: 0 },
      events: SUBSCRIBED_EVENTS, filters: EVENT_FILTERS, commandConnection: true, logger: silent,
    },
    { onEvent: () => {}, onConnected: () => void connected++, onDisconnected: () => void disconnected++ },
  );
  node.start();
  t.teardown(() => node.stop());
  const until = async (what: string, ok: () => boolean): Promise<void> => {
    for (const deadline = Date.now() + 5000; !ok(); await new Promise((r) => setTimeout(r, 10))) if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
  };
  await until('two connections, both subscribed', () => sw.sides.length === 2 && sw.sides.every((s) => s.frames.some((f) => f.command.startsWith('event '))));
  await until('the filters sent', () => sw.sides.some((s) => s.frames.filter((f) => f.command.startsWith('filter ')).length === EVENT_FILTERS.length));
  const events = sw.sides.find((s) => commandsOf(s).some((c) => c.startsWith('filter ')))!;
  const commands = sw.sides.find((s) => s !== events)!;
  t.same(commandsOf(events), [`event json ${SUBSCRIBED_EVENTS.join(' ')}`, ...EVENT_FILTERS.map(([h, v]) => `filter ${h} ${v}`)], 'events: the subscription, then one filter line each');
  t.same(commandsOf(commands), ['event json BACKGROUND_JOB'], 'commands: its own jobs only, no filter');
  await until('the command connection up', () => node.connected && commandsOf(commands).length === 1);
  await new Promise((r) => setTimeout(r, 50));

  t.match(await node.api('status'), /^UP/, 'api answered');
  t.equal(await node.bgapi('originate user/1000 &park()'), '+OK\n', 'bgapi answered by its BACKGROUND_JOB');
  t.same(commandsOf(commands).slice(1), ['api status', 'bgapi originate user/1000 &park()'], 'both went over the command connection');
  t.equal(commandsOf(events).length, 1 + EVENT_FILTERS.length, 'nothing more on the event connection');

  // The command connection drops: the node stays up and commands fall back to the event connection.
  commands.socket.destroy();
  await commands.closed;
  await new Promise((r) => setTimeout(r, 20));
  t.ok(node.connected, 'the node is still connected: the event connection decides');
  t.match(await node.api('status'), /^UP/, 'api answered over the event connection meanwhile');
  t.equal(commandsOf(events).at(-1), 'api status');
  await until('the command connection back', () => sw.sides.length === 3 && commandsOf(sw.sides[2]!).length === 1);
  await new Promise((r) => setTimeout(r, 50));
  await node.api('status');
  t.same(commandsOf(sw.sides[2]!), ['event json BACKGROUND_JOB', 'api status'], 'and over the new command connection once it is back');
  t.equal(connected, 1, 'the command connection never counted as a (re)connect of the node');
  t.equal(disconnected, 0);
});

t.test('a refused filter drops the event connection (a switch without filters would flood the service)', async (t) => {
  const sw = await rawInboundSwitch((side, f) => {
    if (f.command.startsWith('filter ')) side.write('Content-Type: command/reply\nReply-Text: -ERR invalid syntax\n\n');
    else if (f.command.startsWith('auth ')) side.write('Content-Type: command/reply\nReply-Text: +OK accepted\n\n');
    else side.write('Content-Type: command/reply\nReply-Text: +OK event listener enabled json\n\n');
  });
  t.teardown(() => sw.close());
  let connected = 0;
  const node = new InboundNode(
    { name: 'fs1', host: '127.0.0.1', port: sw.port, password: 'pw', commandTimeoutMs: 1000, reconnect: { initialMs: 50, maxMs: 100, jitter: 0 }, events: SUBSCRIBED_EVENTS, filters: EVENT_FILTERS, logger: silent },
    { onEvent: () => {}, onConnected: () => void connected++, onDisconnected: () => {} },
  );
  node.start();
  t.teardown(() => node.stop());
  const first = sw.sides.length ? sw.sides[0]! : await sw.nextConnection();
  await first.closed;
  t.equal(connected, 0, 'never counted as connected');
  t.notOk(node.connected);
});
