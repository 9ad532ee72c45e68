// The outbound-socket connector: connect reply, myevents/linger, hangup notices, settling.
import t from 'tap';
import { createOutboundConnector } from '../src/esl/outbound-connector.ts';
import { listenOnce } from './helpers/esl-test-client.ts';
import { FakeSwitch } from './helpers/fake-switch.ts';

const UUID = '14a0cccf-779b-4709-aa3a-651ff6fc041d';
const GOODBYE = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';

async function setup(t: { teardown(fn: () => unknown): void }, mode: { async?: boolean; full?: boolean } = {}) {
  const sw = new FakeSwitch();
  sw.addChannel(UUID, 'sofia/internal/sipp@127.0.0.1:5076');
  const listener = await listenOnce();
  t.teardown(() => listener.close());
  let connected = 0;
  let settled = false;
  const done = createOutboundConnector({ sw })({
    uuid: UUID,
    host: '127.0.0.1',
    port: listener.port,
    async: mode.async ?? true,
    full: mode.full ?? true,
    onConnected: () => connected++,
  }).then(() => {
    settled = true;
  });
  const c = await listener.accept();
  t.teardown(() => c.close());
  return { sw, c, done, connected: () => connected, settled: () => settled };
}

t.test('connect answers with the channel data and the reply headers (capture 13 form)', async (t) => {
  const { sw, c, connected } = await setup(t);
  c.send('connect');
  const m = await c.next();
  t.equal(m.headers[0]?.[0], 'Event-Name');
  t.equal(m.header('Event-Name'), 'CHANNEL_DATA');
  t.equal(m.header('Event-Calling-Function'), 'parse_command');
  t.equal(m.header('Channel-Name'), 'sofia/internal/sipp%40127.0.0.1%3A5076', 'URL-encoded like any plain header');
  t.match(m.raw, /\nContent-Type: command\/reply\nReply-Text: %2BOK%0A\nSocket-Mode: async\nControl: full\n\n$/);
  t.notOk(/Content-Length/.test(m.raw), 'no outer frame');
  t.equal(connected(), 1);
  t.ok(sw.listenerCount >= 1);
});

t.test('static single-channel mode, and the first packet reply is not sent', async (t) => {
  const { c, done, settled } = await setup(t, { async: false, full: false });
  c.send('myevents');
  c.send('connect');
  const m = await c.next();
  t.match(m.raw, /Socket-Mode: static\nControl: single-channel\n\n$/, 'the myevents reply was swallowed');
  t.equal((await c.command('api status')).header('Reply-Text'), '-ERR command not found', 'api needs full control');
  t.equal((await c.command('linger')).header('Reply-Text'), '-ERR command not found');
  t.notOk(settled());
  c.send('exit');
  t.equal((await c.next()).header('Reply-Text'), '+OK bye');
  t.equal((await c.next()).raw, `Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${UUID}\nContent-Disposition: disconnect\nContent-Length: 67\n\n${GOODBYE}`);
  await done;
  t.ok(settled(), 'static mode returns when the listener ends');
});

t.test('myevents + linger: events, linger notice, more events, socket left open (capture 13)', async (t) => {
  const { sw, c, done } = await setup(t);
  c.send('connect');
  await c.next();
  t.equal((await c.command('myevents')).raw, 'Content-Type: command/reply\nReply-Text: +OK Events Enabled\n\n');
  t.equal((await c.command('linger')).raw, 'Content-Type: command/reply\nReply-Text: +OK will linger\n\n');
  c.send('sendmsg\ncall-command: execute\nexecute-app-name: park');
  t.equal((await c.next()).header('Reply-Text'), '+OK');
  t.same(sw.sendmsgCalls.at(-1)?.controlled, true, 'sendmsg without uuid targets this channel as controlled');
  sw.fire(sw.channelEvent('CHANNEL_ANSWER', 'other'));
  sw.fire(sw.channelEvent('CHANNEL_HANGUP', UUID));
  sw.fire(sw.channelEvent('CHANNEL_HANGUP_COMPLETE', UUID));
  sw.channels.delete(UUID);
  t.match((await c.next()).body, /^Event-Name: CHANNEL_HANGUP\n/);
  t.equal((await c.next()).raw, `Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${UUID}\nContent-Disposition: linger\nChannel-Name: sofia/internal/sipp@127.0.0.1:5076\nLinger-Time: -1\nContent-Length: 0\n\n`);
  t.match((await c.next()).body, /^Event-Name: CHANNEL_HANGUP_COMPLETE\n/, 'events keep coming after the notice');
  await done;
  await new Promise((r) => setTimeout(r, 100));
  t.notOk(c.closed, 'FreeSWITCH leaves closing to the listener');
});

t.test('linger N closes after N seconds with the goodbye notice', async (t) => {
  const { sw, c } = await setup(t);
  c.send('connect');
  await c.next();
  t.equal((await c.command('linger 1')).header('Reply-Text'), '+OK will linger 1 seconds');
  sw.fire(sw.channelEvent('CHANNEL_HANGUP', UUID));
  t.match((await c.next()).raw, /Linger-Time: 1\n/);
  t.equal((await c.next(3000)).body, GOODBYE);
  await c.waitClosed();
});

t.test('without linger the hangup ends the socket with the disconnect notice (capture 21b)', async (t) => {
  const { sw, c, done } = await setup(t);
  c.send('connect');
  await c.next();
  t.equal((await c.command('nolinger')).header('Reply-Text'), '+OK will not linger');
  sw.fire(sw.channelEvent('CHANNEL_HANGUP', UUID));
  t.equal((await c.next()).raw, `Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${UUID}\nContent-Disposition: disconnect\nContent-Length: 67\n\n${GOODBYE}`);
  await c.waitClosed();
  await done;
});

t.test('async: the app returns on CHANNEL_UNPARK', async (t) => {
  const { sw, c, done, settled } = await setup(t);
  c.send('connect');
  await c.next();
  await new Promise((r) => setTimeout(r, 50));
  t.notOk(settled(), 'parked while the listener is there');
  sw.fire(sw.channelEvent('CHANNEL_UNPARK', UUID));
  await done;
  t.ok(settled());
});

t.test('async: a listener that leaves without resume ends the app too (the dialplan goes on, as on the real switch)', async (t) => {
  const { c, done } = await setup(t);
  c.send('connect');
  await c.next();
  c.send('exit');
  await c.waitClosed();
  await done;
});

t.test('async: resume then exit returns at once', async (t) => {
  const { c, done } = await setup(t);
  c.send('connect');
  await c.next();
  t.equal((await c.command('resume')).header('Reply-Text'), '+OK');
  c.send('exit');
  await done;
});

t.test('a failed TCP connect rejects', async (t) => {
  const sw = new FakeSwitch();
  const listener = await listenOnce();
  listener.close();
  await t.rejects(createOutboundConnector({ sw })({ uuid: UUID, host: '127.0.0.1', port: listener.port, async: true, full: true }));
});

t.test('a listener that never sends connect is dropped only after the first-packet timeout', async (t) => {
  const { c } = await setup(t);
  await new Promise((r) => setTimeout(r, 100));
  t.notOk(c.closed);
  t.equal(c.received.length, 0, 'FreeSWITCH says nothing before connect');
});

t.test('a channel gone before the socket connected gets the disconnect notice at once', async (t) => {
  const sw = new FakeSwitch();
  const listener = await listenOnce();
  t.teardown(() => listener.close());
  const done = createOutboundConnector({ sw })({ uuid: UUID, host: '127.0.0.1', port: listener.port, async: true, full: true });
  const c = await listener.accept();
  t.equal((await c.next()).header('Content-Disposition'), 'disconnect');
  await c.waitClosed();
  await done;
});

t.test('full control: event subscriptions and sendmsg to another channel are not "controlled"', async (t) => {
  const { sw, c } = await setup(t);
  sw.addChannel('other');
  c.send('connect');
  await c.next();
  t.equal((await c.command('event json CHANNEL_ANSWER')).header('Reply-Text'), '+OK event listener enabled json');
  sw.fire(sw.channelEvent('CHANNEL_ANSWER', 'other'));
  t.equal((await c.next()).type, 'text/event-json', 'event (unlike myevents) is not limited to this channel');
  t.equal((await c.command('sendmsg other\ncall-command: hangup')).header('Reply-Text'), '+OK');
  t.same(sw.sendmsgCalls.at(-1)?.controlled, false);
  t.equal((await c.command(`sendmsg ${UUID}\ncall-command: hangup`)).header('Reply-Text'), '+OK');
  t.same(sw.sendmsgCalls.at(-1)?.controlled, true, 'its own uuid counts as this channel');
});
