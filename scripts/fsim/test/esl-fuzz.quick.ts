// Robustness: 1,000 random and malformed frames over several connections (some authenticated,
// some not), with events firing meanwhile; then a normal client must still be served, no switch
// subscription may leak, and nothing may have escaped a socket callback (tap fails the file on an
// uncaught exception).
import t from 'tap';
import { startInboundServer } from '../src/esl/inbound-server.ts';
import { EslTestClient } from './helpers/esl-test-client.ts';
import { FakeSwitch } from './helpers/fake-switch.ts';

// Small seeded PRNG so a failure can be replayed.
let seed = Number(process.env['ESL_FUZZ_SEED'] ?? 12345);
const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
const word = (): string => Math.floor(rnd() * 1e9).toString(36);

const VERBS = ['api', 'bgapi', 'event', 'nixevent', 'noevents', 'filter', 'myevents', 'sendmsg', 'linger', 'nolinger', 'log', 'nolog', 'divert_events', 'getvar', 'resume', 'connect', 'auth', 'userauth', 'sendevent', 'zzz'];

const GENERATORS: ReadonlyArray<() => string | Buffer> = [
  () => bytes(1 + Math.floor(rnd() * 4096)),
  () => `${pick(VERBS)} ${word()} ${word()}\n\n`,
  () => `${pick(VERBS)}${pick(['', ' ', '  '])}${pick(['ALL', 'plain ALL', 'json CUSTOM a::b CHANNEL_CREATE', 'xml', '/[/', 'Unique-ID /(/', 'delete all', '-1'])}\r\n\r\n`,
  () => `api ${'x'.repeat(200_000)}\n\n`, // a huge but legal line
  () => `X-Huge: ${'y'.repeat(1_100_000)}`, // over the 1 MiB cap without any line end
  () => `sendmsg ${word()}\ncall-command: execute\nexecute-app-name: ${word()}\nContent-Length: ${Math.floor(rnd() * 64)}\n\n${word()}`, // length lies
  () => `sendmsg\n${bytes(64).toString('latin1')}\nContent-Length: -7\n\n`,
  () => `sendmsg u1\nContent-Length: 99999999999\n\n`, // over the body cap: the server hangs up
  () => `bgapi ${word()} ${word()}\nJob-UUID: ${word().repeat(20)}\n\n`,
  () => `${pick(VERBS)}`, // half a frame
  () => '\n\n\r\n',
  () => `filter ${word()} /${bytes(8).toString('latin1')}/\n\n`,
];

t.test('1,000 malformed frames do not break the server', async (t) => {
  const sw = new FakeSwitch();
  sw.addChannel('u1');
  const server = await startInboundServer({ sw, port: 0, password: 'ClueCon' });
  t.teardown(() => server.close());
  const firing = setInterval(() => {
    sw.fire(sw.channelEvent(pick(['CHANNEL_CREATE', 'DTMF', 'HEARTBEAT', 'BACKGROUND_JOB']), pick(['u1', 'u2'])));
    sw.fire({ name: 'CUSTOM', subclass: 'a::b', headers: [['Event-Name', 'CUSTOM'], ['Event-Subclass', 'a::b']], body: word() });
  }, 2);
  let sent = 0;
  let reconnects = 0;
  const worker = async (authed: boolean): Promise<void> => {
    let c = await EslTestClient.connect(server.port);
    if (authed) c.send('auth ClueCon');
    while (sent < 1000) {
      if (c.closed || rnd() < 0.02) {
        c.close();
        c = await EslTestClient.connect(server.port);
        reconnects++;
        if (authed) c.send('auth ClueCon');
        if (rnd() < 0.5) c.send('event plain ALL');
      }
      sent++;
      c.sendRaw(pick(GENERATORS)());
      if (sent % 10 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await new Promise((r) => setTimeout(r, 20));
    c.close();
  };
  await Promise.all([worker(true), worker(true), worker(true), worker(false), worker(false), worker(true)]);
  clearInterval(firing);
  t.ok(sent >= 1000, `${sent} frames sent, ${reconnects} reconnects`);

  // A well-behaved client is served normally afterwards.
  sw.apiAnswers.set('status', 'UP\n');
  const c = await EslTestClient.connect(server.port);
  t.teardown(() => c.close());
  t.equal((await c.next()).type, 'auth/request');
  t.equal((await c.command('auth ClueCon')).header('Reply-Text'), '+OK accepted');
  t.equal((await c.command('api status')).raw, 'Content-Type: api/response\nContent-Length: 3\n\nUP\n');
  t.equal((await c.command('event plain HEARTBEAT')).header('Reply-Text'), '+OK event listener enabled plain');
  sw.fire(sw.channelEvent('HEARTBEAT', 'u1'));
  t.match((await c.next()).body, /^Event-Name: HEARTBEAT\n/);

  // Every fuzz connection is gone and unsubscribed: only the good client remains.
  for (let i = 0; i < 100 && sw.listenerCount > 1; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal(sw.listenerCount, 1, 'no leaked switch subscriptions');
});
