// Typed switch commands: the strings they build, and what they do on fsim.
import t from 'tap';
import pino from 'pino';
import { randomUUID } from 'node:crypto';
import { InboundNode } from '../src/freeswitch/inbound-node.ts';
import { InvalidCommandArgument, originateCommand, originateVars, switchCommands } from '../src/freeswitch/commands.ts';
import { FreeSwitchCommandError } from '../src/freeswitch/errors.ts';
import { ESL_PASSWORD, withFsim } from './helpers/fsim.ts';

t.test('originate strings: plain values only, a caller id that is not a number left out', async (t) => {
  t.equal(originateVars({ a: 'x', b: 'user-7' }), '{a=x,b=user-7}');
  t.throws(() => originateVars({ a: 'x,y' }), InvalidCommandArgument, 'a comma would start another variable');
  t.throws(() => originateVars({ a: 'x}' }), InvalidCommandArgument);
  t.throws(() => originateVars({ 'bad name': 'x' }), InvalidCommandArgument);
  const id = randomUUID();
  t.equal(
    originateCommand({ dialstring: 'user/1001', vars: { hotline_call_id: 'c1' }, then: { app: 'park' }, timeoutSec: 20, uuid: id }),
    `originate {hotline_call_id=c1,origination_uuid=${id},originate_timeout=20}user/1001 &park`,
  );
  t.equal(
    originateCommand({ dialstring: 'user/1001', vars: { origination_caller_id_number: "1380'0", origination_caller_id_name: 'main' }, then: { app: 'park' } }),
    'originate {origination_caller_id_name=main}user/1001 &park',
    'the caller id is dropped, the offer goes on',
  );
  t.equal(originateCommand({ dialstring: 'sofia/gateway/gw_110/110', then: { extension: '9000', context: 'default' } }), 'originate sofia/gateway/gw_110/110 9000 XML default');
  t.throws(() => originateCommand({ dialstring: 'user/1001 &bridge(evil)', then: { app: 'park' } }), InvalidCommandArgument, 'no command injection through a dial string');
});

t.test('commands on fsim: originate, variables, hold, media, record, bridge, kill', async (t) => {
  const fsim = await withFsim(t, { serviceSocket: '127.0.0.1:9', timeScale: 0.1 });
  fsim.sw.registerUser('1001', { answerAfterMs: 100 });
  fsim.sw.registerUser('1002', { answerAfterMs: 100 });
  let up: (() => void) | undefined;
  const node = new InboundNode(
    { name: 'fs1', host: '127.0.0.1', port: fsim.eslPort, password: ESL_PASSWORD, commandTimeoutMs: 5000, reconnect: { initialMs: 100, maxMs: 1000, jitter: 0 }, events: ['CHANNEL_CREATE'], logger: pino({ level: 'silent' }) },
    { onEvent: () => {}, onConnected: () => up?.(), onDisconnected: () => {} },
  );
  const ready = new Promise<void>((r) => (up = r));
  node.start();
  t.teardown(() => node.stop());
  await ready;
  const sw = switchCommands((c) => node.api(c));
  const a = randomUUID();
  t.equal(await sw.originate({ dialstring: 'user/1001', vars: { hotline_call_id: 'call-1' }, then: { app: 'park' }, uuid: a, timeoutSec: 10 }), a);
  t.equal(await sw.exists(a), true);
  t.equal(await sw.getVar(a, 'hotline_call_id'), 'call-1', 'originate variables land on the leg');
  await sw.setVar(a, 'hotline_agent_id', 'agent-7');
  t.equal(await sw.getVar(a, 'hotline_agent_id'), 'agent-7');
  t.equal(await sw.getVar(a, 'no_such_var'), undefined);
  // One round trip for several (uuid_setvar_multi; replies as FreeSWITCH 1.10.12's); '' unsets.
  await sw.setVars(a, { hotline_survey_keys: '123', RECORD_STEREO: 'true', hotline_agent_id: '' });
  t.equal(await sw.getVar(a, 'hotline_survey_keys'), '123');
  t.equal(await sw.getVar(a, 'RECORD_STEREO'), 'true');
  t.equal(await sw.getVar(a, 'hotline_agent_id'), undefined, 'an empty value unsets');
  await t.rejects(sw.setVars(a, { x: 'a;b=c' }), InvalidCommandArgument, 'a value cannot start another item');
  await t.rejects(sw.setVars(a, { x: 'a b' }), InvalidCommandArgument, 'nor split the command');
  await t.rejects(sw.setVars(randomUUID(), { x: '1' }), /No such channel/);
  t.equal(await node.api(`uuid_setvar_multi ${a} =1`).catch((e: FreeSwitchCommandError) => e.reply), '-ERR No variable specified\n-USAGE: <uuid> <var>=<value>;<var>=<value>...');
  const b = await sw.originate({ dialstring: 'user/1002', then: { app: 'park' } });
  await sw.bridge(a, b);
  await sw.hold(a, true);
  await sw.hold(a, false);
  await sw.record(a, 'start', '/tmp/hotline-test.wav');
  await sw.record(a, 'stop', '/tmp/hotline-test.wav');
  await sw.kill(b);
  await t.rejects(sw.kill(randomUUID()), FreeSwitchCommandError, '-ERR answers reject with the reply text');
  // As on FreeSWITCH (capture 08): the far leg of a uuid_bridge goes down with the killed one.
  await new Promise((r) => setTimeout(r, 100));
  t.equal(await sw.exists(a), false);
  await t.rejects(sw.kill(a), /No such channel/);
  await t.rejects(sw.originate({ dialstring: 'user/1005', then: { app: 'park' } }), /USER_NOT_REGISTERED/, 'a known but unregistered agent phone');
});
