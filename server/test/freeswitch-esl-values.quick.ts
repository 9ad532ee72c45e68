// Every command builder at the switch boundary refuses a hostile value, and nothing of it reaches
// the socket: the fake switch records every frame it gets. Before esl-values.ts, a Unique-ID with
// a newline went into `uuid_transfer <uuid> ...` as a second ESL command; a `'` in a caller id or
// `,|[]` in a callback number went into originate strings.
import t from 'tap';
import pino from 'pino';
import { randomUUID } from 'node:crypto';
import { InboundNode } from '../src/freeswitch/inbound-node.ts';
import { InvalidCommandArgument, originateCommand, switchCommands, type SwitchCommands } from '../src/freeswitch/commands.ts';
import { agentPhone, dialString, maskCommand, phoneNumber } from '../src/freeswitch/esl-values.ts';
import { OUTBOUND_UNREAD_EVENTS, startOutboundServer } from '../src/freeswitch/outbound-server.ts';
import type { OutboundCall } from '../src/freeswitch/outbound-call.ts';
import { intakeCallOf } from '../src/freeswitch/intake-call.ts';
import { dialAsSwitch, rawInboundSwitch } from './helpers/raw-switch.ts';

const silent = pino({ level: 'silent' });
const U = randomUUID();
const INJECTED = `${U}\napi originate sofia/gateway/gw_carrier/13800138000 &park`;

t.test('inbound command builders refuse hostile values before anything is sent', async (t) => {
  const sw = await rawInboundSwitch();
  t.teardown(() => sw.close());
  let up: (() => void) | undefined;
  const ready = new Promise<void>((r) => (up = r));
  const node = new InboundNode(
    { name: 'fs1', host: '127.0.0.1', port: sw.port, password: 'pw', commandTimeoutMs: 2000, reconnect: { initialMs: 50, maxMs: 200, jitter: 0 }, events: ['CHANNEL_CREATE'], logger: silent },
    { onEvent: () => {}, onConnected: () => up?.(), onDisconnected: () => {} },
  );
  node.start();
  t.teardown(() => node.stop());
  await ready;
  const cmds: SwitchCommands = switchCommands((c) => node.api(c), (c, ms) => node.bgapi(c, ms));
  const park = { app: 'park' } as const;
  const hostile: [string, () => Promise<unknown>][] = [
    ['newline-injected UUID in uuid_transfer (the intake wait)', () => cmds.transfer(INJECTED, 'hotline_wait', 'hotline_queue')],
    ['newline-injected UUID in uuid_bridge', () => cmds.bridge(INJECTED, U)],
    ['a UUID that is not 8-4-4-4-12', () => cmds.kill(`${U}0`)],
    ['an extension with a space', () => cmds.transfer(U, 'hotline_wait XML evil', 'hotline_queue')],
    ['a context with a newline', () => cmds.transfer(U, 'hotline_wait', 'q\napi status')],
    ['a hangup cause with a newline', () => cmds.kill(U, 'NORMAL_CLEARING\napi status')],
    ['uuid_broadcast of app::args', () => cmds.broadcast(U, 'system::touch /tmp/x')],
    ['a prompt path with a space', () => cmds.broadcast(U, 'hotline/a b.wav')],
    ['a variable value with a quote', () => cmds.setVar(U, 'hotline_transfer_target', "13800'0")],
    ['a variable value with ${api} expansion', () => cmds.setVar(U, 'x', '${system(id)}')],
    ['a variable name with a space', () => cmds.setVar(U, 'a b', 'v')],
    ['uuid_getvar with a newline', () => cmds.getVar(U, 'x\napi status')],
    ['uuid_record path with a space', () => cmds.record(U, 'start', '/tmp/a b.wav')],
    ['conference member with a newline', () => cmds.conference('c1', 'kick', '1\napi status')],
    ['conference dial of two legs', () => cmds.conferenceDial('c1', 'user/1001,user/1002')],
    ['a dial string ringing a second leg', () => cmds.originate({ dialstring: 'user/1001,sofia/gateway/gw_carrier/13800138000', then: park })],
    ['a dial string failing over to another', () => cmds.originate({ dialstring: 'user/1001|sofia/gateway/gw_carrier/13800138000', then: park })],
    ['per-leg variables in a dial string', () => cmds.originateInBackground({ dialstring: '[origination_caller_id_number=110]user/1001', then: park }, 1000)],
    ['a variable value with , | [ ]', () => cmds.originateInBackground({ dialstring: 'user/1001', vars: { hotline_queue: 'a,b|[c]' }, then: park }, 1000)],
    ['an originate uuid with a newline', () => cmds.originate({ dialstring: 'user/1001', uuid: INJECTED, then: park })],
    ['an application argument with a space', () => cmds.originate({ dialstring: 'user/1001', then: { app: 'bridge', arg: 'user/1 user/2' } })],
    ['an application name with a newline', () => cmds.originate({ dialstring: 'user/1001', then: { app: 'park\napi status' } })],
    ['an enterprise separator', () => cmds.originate({ dialstring: 'user/1001:_:user/1002', then: park })],
  ];
  for (const [what, run] of hostile) await t.rejects(run(), InvalidCommandArgument, what);
  const side = sw.sides[0]!;
  t.same(side.frames.map((f) => f.command), ['auth pw', 'event json CHANNEL_CREATE'], 'nothing but the handshake reached the switch');
  // The same builders do send well-formed values (the recorder sees them).
  await cmds.transfer(U, 'hotline_wait', 'hotline_queue');
  await cmds.originateInBackground({ dialstring: 'user/1001', vars: { origination_caller_id_number: "1380'0", hotline_queue: 'general' }, then: park }, 2000);
  t.same(side.frames.slice(2).map((f) => f.command), [`api uuid_transfer ${U} hotline_wait XML hotline_queue`, 'bgapi originate {hotline_queue=general}user/1001 &park'], 'a caller id with a quote is left out, the offer goes on');
});

t.test('outbound-socket calls refuse hostile values before anything is sent', async (t) => {
  let got: ((c: OutboundCall) => void) | undefined;
  const arrived = new Promise<OutboundCall>((r) => (got = r));
  const server = await startOutboundServer({ host: '127.0.0.1', port: 0, node: 'fs1', logger: silent, allowFrom: ['127.0.0.1'], connectTimeoutMs: 2000 }, (c) => got?.(c));
  t.teardown(() => server.close());
  const uuid = randomUUID();
  const side = await dialAsSwitch(server.port, { uuid });
  t.teardown(() => side.socket.destroy());
  const call = await arrived;
  await t.rejects(call.execute('playback', 'hotline/a.wav\nexecute-app-name: bridge'), InvalidCommandArgument, 'an application argument with a line break');
  await t.rejects(call.execute('bridge user/1'), InvalidCommandArgument, 'an application name with a space');
  await t.rejects(call.setVar('hotline_lang', "zh'"), InvalidCommandArgument, 'a variable value with a quote');
  await t.rejects(call.setVar('a\nb', 'v'), InvalidCommandArgument, 'a variable name with a newline');
  await t.rejects(call.hangup('NORMAL_CLEARING\nsendmsg'), InvalidCommandArgument, 'a hangup cause with a newline');
  const intake = intakeCallOf(call, 'fs1', {
    promptsBase: 'hotline/',
    wait: async () => {},
    dialstring: (target) => dialString('sofia/gateway/gw_carrier/{target}', target),
  });
  await t.rejects(intake.transferOut('110,user/1001', 'to110'), InvalidCommandArgument, "intake's bridge to a number with a comma");
  await t.rejects(intake.play('welcome.wav;loops=9 x'), InvalidCommandArgument, 'a prompt with a space');
  const handshake = ['connect', 'myevents json', `nixevent ${OUTBOUND_UNREAD_EVENTS.join(' ')}`];
  t.same(side.frames.map((f) => f.command), handshake, 'nothing but the handshake reached the switch');
  await call.setVar('hotline_lang', 'zh');
  t.equal(side.frames[handshake.length]?.headers.find(([n]) => n === 'execute-app-arg')?.[1], 'hotline_lang=zh', 'a plain value goes through');
});

t.test('numbers, agent phones and masking', async (t) => {
  for (const bad of ['138,0|[1]', "1380'0", '+86 138', '13800138000\n', '1', '']) t.throws(() => phoneNumber(bad), InvalidCommandArgument, JSON.stringify(bad));
  t.equal(phoneNumber('+8613800138000'), '+8613800138000');
  t.throws(() => dialString('sofia/gateway/gw_carrier/{target}', '138,0|[1]'), InvalidCommandArgument, 'a callback number with , | [ ]');
  t.equal(dialString('sofia/gateway/gw_carrier/{target}', '13800138000'), 'sofia/gateway/gw_carrier/13800138000');
  t.equal(agentPhone('user/1001', []), 'user/1001');
  t.throws(() => agentPhone('sofia/gateway/gw_carrier/13800138000', []), /expected user\/<extension>$/, 'a carrier gateway is not an agent phone');
  t.throws(() => agentPhone('user/1001,user/1002', []), InvalidCommandArgument);
  t.equal(agentPhone('sofia/gateway/gw_remote/13800138000', ['sofia/gateway/gw_remote/']), 'sofia/gateway/gw_remote/13800138000', 'a prefix the site allows');
  t.throws(() => agentPhone('sofia/gateway/gw_remote/13800138000|user/1', ['sofia/gateway/gw_remote/']), InvalidCommandArgument);
  const cmd = originateCommand({ dialstring: 'sofia/gateway/gw_carrier/13812345678', uuid: '12345678-1234-4234-8234-123456789012', vars: { origination_caller_id_number: '13912345678' }, then: { app: 'park' } });
  const masked = maskCommand(cmd);
  t.notMatch(masked, /13812345678|13912345678/, 'no number in the clear');
  t.match(masked, /gw_carrier\/138\*{6}78/);
  t.match(masked, /origination_uuid=12345678-1234-4234-8234-123456789012/, 'uuids stay readable');
  t.throws(() => phoneNumber('13812345678x'), { message: 'invalid phone number: "138******78x"' }, 'a refused number is masked in the error');
});
