// The inbound event socket against the FreeSWITCH captures (byte for byte) and its command set.
import { readFileSync } from 'node:fs';
import t from 'tap';
import type { Header } from '../src/types.ts';
import { startInboundServer } from '../src/esl/inbound-server.ts';
import type { InboundServer } from '../src/esl/inbound-server.ts';
import { EslTestClient } from './helpers/esl-test-client.ts';
import { FakeSwitch } from './helpers/fake-switch.ts';

const FIX = new URL('../../../../shared/fixtures/esl/', import.meta.url);
const fixture = (file: string): Buffer => readFileSync(new URL(file, FIX));
type Rec = { dir: string; b64: string };
const records = (name: string): Rec[] =>
  fixture(`${name}.jsonl`).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);

async function start(sw: FakeSwitch): Promise<InboundServer> {
  return startInboundServer({ sw, port: 0, password: 'ClueCon' });
}

/**
 * Replay a capture's client writes one by one, each after the switch has sent as many bytes as
 * FreeSWITCH had sent by then; returns everything received until the server closes.
 */
async function replay(server: InboundServer, name: string): Promise<string> {
  const c = await EslTestClient.connect(server.port);
  let expected = 0;
  for (const r of records(name)) {
    const bytes = Buffer.from(r.b64, 'base64');
    if (r.dir === 'S->C') {
      expected += bytes.length;
      continue;
    }
    for (let i = 0; i < 200 && c.received.length < expected; i++) await new Promise((res) => setTimeout(res, 5));
    c.sendRaw(bytes);
  }
  await c.waitClosed();
  return c.received.toString('utf8');
}

/** Pair each `api X` the client sent with the api/response body FreeSWITCH answered. */
function apiAnswersFrom(sw: FakeSwitch, name: string): void {
  const cmds = fixture(`${name}.c2s.bin`).toString('utf8').split('\n\n').filter((c) => c.startsWith('api '));
  const out = fixture(`${name}.s2c.bin`).toString('utf8');
  const re = /Content-Type: api\/response\nContent-Length: (\d+)\n\n/g;
  const bodies: string[] = [];
  for (let m = re.exec(out); m; m = re.exec(out)) {
    const start = Buffer.byteLength(out.slice(0, m.index + m[0].length));
    bodies.push(Buffer.from(out).subarray(start, start + Number(m[1])).toString('utf8'));
  }
  cmds.forEach((c, i) => sw.apiAnswers.set(c.slice(4), bodies[i] ?? ''));
}

for (const name of ['01_auth_ok', '01b_auth_bad_password', '12b_error_command_before_auth', '04_api_status']) {
  t.test(`capture ${name} byte for byte`, async (t) => {
    const sw = new FakeSwitch();
    if (name === '04_api_status') apiAnswersFrom(sw, name);
    const server = await start(sw);
    t.teardown(() => server.close());
    if (name.startsWith('12b')) {
      // FreeSWITCH keeps the connection open after a pre-auth command: compare, then close it.
      const c = await EslTestClient.connect(server.port);
      c.sendRaw(fixture(`${name}.c2s.bin`));
      const want = fixture(`${name}.s2c.bin`);
      for (let i = 0; i < 200 && c.received.length < want.length; i++) await new Promise((r) => setTimeout(r, 5));
      t.equal(c.received.toString('utf8'), want.toString('utf8'));
      t.notOk(c.closed, 'still open');
      c.close();
      return;
    }
    t.equal(await replay(server, name), fixture(`${name}.s2c.bin`).toString('utf8'));
  });
}

t.test('capture 12_errors byte for byte (bgapi Job-UUID normalised)', async (t) => {
  const sw = new FakeSwitch();
  apiAnswersFrom(sw, '12_errors');
  const want = fixture('12_errors.s2c.bin').toString('utf8');
  // The BACKGROUND_JOB's base headers as FreeSWITCH wrote them (decoded from the capture).
  const block = /Event-Name: BACKGROUND_JOB\n[\s\S]*?Event-Sequence: \d+\n/.exec(want)?.[0] ?? '';
  const base: Header[] = block.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), decodeURIComponent(l.slice(l.indexOf(':') + 2))]);
  sw.baseOverride = (n) => (n === 'BACKGROUND_JOB' ? base : undefined);
  const server = await start(sw);
  t.teardown(() => server.close());
  const got = await replay(server, '12_errors');
  const ours = /Job-UUID: (\S+)/.exec(got)?.[1] ?? 'none';
  const theirs = /Job-UUID: (\S+)/.exec(want)?.[1] ?? 'none';
  t.equal(got.split(ours).join(theirs), want);
});

t.test('event subscriptions: plain/json/xml, ALL, CUSTOM subclasses, nixevent, noevents', async (t) => {
  const sw = new FakeSwitch();
  sw.addChannel('u1');
  const server = await start(sw);
  t.teardown(() => server.close());
  const c = await EslTestClient.connect(server.port);
  t.teardown(() => c.close());
  await c.next();
  await c.command('auth ClueCon');
  t.equal((await c.command('event json CUSTOM conference::maintenance CHANNEL_CREATE')).header('Reply-Text'), '+OK event listener enabled json');
  sw.fire(sw.channelEvent('CHANNEL_CREATE', 'u1'));
  sw.fire({ name: 'CUSTOM', subclass: 'conference::maintenance', headers: [['Event-Name', 'CUSTOM'], ['Event-Subclass', 'conference::maintenance']] });
  sw.fire({ name: 'CUSTOM', subclass: 'other::thing', headers: [['Event-Name', 'CUSTOM'], ['Event-Subclass', 'other::thing']] });
  const ev = await c.next();
  t.equal(ev.type, 'text/event-json');
  t.match(ev.body, /"Event-Subclass":"conference::maintenance"/, 'CHANNEL_CREATE after CUSTOM is a subclass name, not a type');
  t.equal((await c.command('event plain CHANNEL_CREATE')).header('Reply-Text'), '+OK event listener enabled plain', 'a second event command adds');
  sw.fire(sw.channelEvent('CHANNEL_CREATE', 'u1', [['Caller-Caller-ID-Name', 'noise%20complaint x']]));
  const plain = await c.next();
  t.equal(plain.type, 'text/event-plain');
  t.match(plain.body, /^Event-Name: CHANNEL_CREATE\n/);
  t.match(plain.body, /\nCaller-Caller-ID-Name: noise%20complaint%20x\n\n$/, 'existing %XX kept, space encoded');
  t.equal((await c.command('event xml ALL')).header('Reply-Text'), '+OK event listener enabled xml');
  sw.fire(sw.channelEvent('HEARTBEAT', 'u1'));
  const xml = await c.next();
  t.equal(xml.type, 'text/event-xml');
  t.match(xml.body, /^<event>\n {2}<headers>\n {4}<Event-Name>HEARTBEAT<\/Event-Name>\n/);
  t.equal((await c.command('nixevent HEARTBEAT')).header('Reply-Text'), '+OK events nixed');
  sw.fire(sw.channelEvent('HEARTBEAT', 'u1'));
  sw.fire(sw.channelEvent('DTMF', 'u1'));
  t.match((await c.next()).body, /<Event-Name>DTMF<\/Event-Name>/, 'nixevent of one type keeps the rest of ALL');
  t.equal((await c.command('event plain NOT_AN_EVENT')).header('Reply-Text'), '-ERR no keywords supplied');
  t.equal((await c.command('noevents')).header('Reply-Text'), '+OK no longer listening for events');
  t.equal((await c.command('noevents')).header('Reply-Text'), '-ERR not listening for events');
  sw.fire(sw.channelEvent('DTMF', 'u1'));
  t.equal((await c.command('nosuchverb')).header('Reply-Text'), '-ERR command not found', 'no event came first');
});

t.test('filters: FreeSWITCH replies and semantics', async (t) => {
  const sw = new FakeSwitch();
  const server = await start(sw);
  t.teardown(() => server.close());
  const c = await EslTestClient.connect(server.port);
  t.teardown(() => c.close());
  await c.next();
  await c.command('auth ClueCon');
  await c.command('event plain ALL');
  t.equal((await c.command('filter Unique-ID u2')).header('Reply-Text'), '+OK filter added. [Unique-ID]=[u2]');
  t.equal((await c.command('filter Event-Name /^DTM/')).header('Reply-Text'), '+OK filter added. [Event-Name]=[/^DTM/]');
  t.equal((await c.command('filter Unique-ID')).header('Reply-Text'), '-ERR invalid syntax');
  sw.fire(sw.channelEvent('CHANNEL_CREATE', 'u1'));
  sw.fire(sw.channelEvent('DTMF', 'u1'));
  sw.fire(sw.channelEvent('CHANNEL_ANSWER', 'u2'));
  t.match((await c.next()).body, /Event-Name: DTMF\n[\s\S]*Unique-ID: u1/, 'regex filter matched');
  t.match((await c.next()).body, /Event-Name: CHANNEL_ANSWER\n[\s\S]*Unique-ID: u2/, 'value filter matched');
  t.equal((await c.command('filter delete Event-Name')).header('Reply-Text'), '+OK filter deleted. [Event-Name][]');
  t.equal((await c.command('filter delete all')).header('Reply-Text'), '+OK filter deleted. [all][]');
  sw.fire(sw.channelEvent('CHANNEL_CREATE', 'u9'));
  t.match((await c.next()).body, /Unique-ID: u9/, 'no filters left: everything passes');
});

t.test('bgapi with a caller-chosen Job-UUID; BACKGROUND_JOB reaches every subscriber', async (t) => {
  const sw = new FakeSwitch();
  sw.apiAnswers.set('status', 'UP 0 years\n');
  const server = await start(sw);
  t.teardown(() => server.close());
  const [a, b] = [await EslTestClient.connect(server.port), await EslTestClient.connect(server.port)];
  t.teardown(() => (a.close(), b.close()));
  for (const c of [a, b]) {
    await c.next();
    await c.command('auth ClueCon');
  }
  await b.command('event json BACKGROUND_JOB');
  a.send('bgapi status\nJob-UUID: 11111111-2222-3333-4444-555555555555');
  const reply = await a.next();
  t.equal(reply.raw, 'Content-Type: command/reply\nReply-Text: +OK Job-UUID: 11111111-2222-3333-4444-555555555555\nJob-UUID: 11111111-2222-3333-4444-555555555555\n\n');
  const job = JSON.parse((await b.next()).body ?? '{}') as Record<string, string>;
  t.equal(job['Job-UUID'], '11111111-2222-3333-4444-555555555555');
  t.equal(job['Job-Command'], 'status');
  t.notOk('Job-Command-Arg' in job, 'no Job-Command-Arg without arguments');
  t.equal(job['_body'], 'UP 0 years\n');
  t.equal(job['Event-Calling-Function'], 'api_exec');
  t.same(sw.apiCalls.at(-1), { command: 'status', args: '', jobUuid: '11111111-2222-3333-4444-555555555555' });
  a.send('bgapi originate loopback/9001/default &park');
  t.match((await a.next()).header('Reply-Text'), /^\+OK Job-UUID: [0-9a-f-]{36}$/);
  t.match(JSON.parse((await b.next()).body ?? '{}'), { 'Job-Command-Arg': 'loopback/9001/default &park' });
  t.equal(a.inbox.length, 0, 'the issuer is not subscribed, so it gets no event');
});

t.test('events fired during a blocking api come after its api/response', async (t) => {
  const sw = new FakeSwitch();
  sw.addChannel('u1');
  sw.apiDelayMs = 50;
  sw.apiAnswers.set('originate', '+OK u1\n');
  const server = await start(sw);
  t.teardown(() => server.close());
  const c = await EslTestClient.connect(server.port);
  t.teardown(() => c.close());
  await c.next();
  await c.command('auth ClueCon');
  await c.command('event plain CHANNEL_ANSWER');
  c.send('api originate x &park');
  setTimeout(() => sw.fire(sw.channelEvent('CHANNEL_ANSWER', 'u1')), 10);
  t.equal((await c.next()).raw, 'Content-Type: api/response\nContent-Length: 7\n\n+OK u1\n');
  t.equal((await c.next()).type, 'text/event-plain');
});

t.test('myevents <uuid> binds the listener; hangup closes it with the controlled notice', async (t) => {
  const sw = new FakeSwitch();
  sw.addChannel('u1');
  sw.addChannel('u2');
  const server = await start(sw);
  t.teardown(() => server.close());
  const c = await EslTestClient.connect(server.port);
  await c.next();
  await c.command('auth ClueCon');
  t.equal((await c.command('linger')).header('Reply-Text'), '-ERR not controlling a session');
  t.equal((await c.command('myevents nope json')).header('Reply-Text'), '-ERR invalid uuid');
  t.equal((await c.command('myevents u1')).header('Reply-Text'), '+OK Events Enabled');
  t.equal((await c.command('myevents u1')).header('Reply-Text'), '-ERR aready enabled.');
  t.equal((await c.command('getvar destination_number')).header('Reply-Text'), '9002');
  sw.fire(sw.channelEvent('CHANNEL_ANSWER', 'u2'));
  sw.fire(sw.channelEvent('CHANNEL_ANSWER', 'u1'));
  sw.fire(sw.channelEvent('CHANNEL_HANGUP', 'u1'));
  t.match((await c.next()).body, /Event-Name: CHANNEL_ANSWER\n[\s\S]*Unique-ID: u1\n/, 'only the bound channel');
  t.match((await c.next()).body, /Event-Name: CHANNEL_HANGUP/);
  const notice = await c.next();
  t.equal(notice.raw, `Content-Type: text/disconnect-notice\nControlled-Session-UUID: u1\nContent-Disposition: disconnect\nContent-Length: 67\n\nDisconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n`);
  await c.waitClosed();
});

t.test('misc replies: log/nolog, linger, divert_events, sendmsg, exit prefix', async (t) => {
  const sw = new FakeSwitch();
  sw.addChannel('u1');
  const server = await start(sw);
  t.teardown(() => server.close());
  const c = await EslTestClient.connect(server.port);
  await c.next();
  t.equal((await c.command('event plain ALL')).header('Reply-Text'), '-ERR command not found', 'before auth');
  await c.command('auth ClueCon');
  t.equal((await c.command('nolog')).header('Reply-Text'), '-ERR not loging');
  t.equal((await c.command('log debug')).header('Reply-Text'), '+OK log level debug [7]');
  t.equal((await c.command('log nonsense')).header('Reply-Text'), '-ERR invalid log level');
  t.equal((await c.command('nolog')).header('Reply-Text'), '+OK no longer logging');
  t.equal((await c.command('divert_events on')).header('Reply-Text'), '-ERR not controlling a session.');
  t.equal((await c.command('sendmsg')).header('Reply-Text'), '-ERR invalid session id []');
  c.send('sendmsg u1\ncall-command: execute\nexecute-app-name: playback\nContent-Length: 5\n\nhello');
  t.equal((await c.next()).header('Reply-Text'), '+OK');
  const call = sw.sendmsgCalls.at(-1);
  t.equal(call?.uuid, 'u1');
  t.equal(call?.msg.headers.get('execute-app-name'), 'playback');
  t.equal(call?.msg.body, 'hello');
  t.equal(call?.controlled, false);
  t.equal((await c.command('api')).header('Reply-Text'), '-ERR command not found', '"api" needs a space');
  c.send('exitnow');
  t.equal((await c.next()).header('Reply-Text'), '+OK bye', 'exit is a prefix match');
  t.equal((await c.next()).type, 'text/disconnect-notice');
  await c.waitClosed();
});

t.test('dropAll destroys clients abruptly; close() ends the rest with the shutdown notice', async (t) => {
  const sw = new FakeSwitch();
  const server = await start(sw);
  const a = await EslTestClient.connect(server.port);
  await a.next();
  server.dropAll();
  await a.waitClosed();
  t.equal(a.received.toString(), 'Content-Type: auth/request\n\n', 'no notice on a drop');
  const b = await EslTestClient.connect(server.port);
  await b.next();
  await server.close();
  t.equal((await b.next().catch(() => undefined))?.body ?? b.received.toString().slice(28), 'The system is being shut down.\n');
  t.equal(sw.listenerCount, 0, 'every session unsubscribed from the switch');
});

t.test('a body over the 1 MiB cap: command parse error, notice, close', async (t) => {
  const sw = new FakeSwitch();
  const server = await start(sw);
  t.teardown(() => server.close());
  const c = await EslTestClient.connect(server.port);
  await c.next();
  await c.command('auth ClueCon');
  c.send('sendmsg u1\nContent-Length: 2000000');
  t.equal((await c.next()).header('Reply-Text'), '-ERR command parse error.');
  t.equal((await c.next()).type, 'text/disconnect-notice');
  await c.waitClosed();
});
