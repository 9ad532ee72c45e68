// The eavesdrop commands: every value checked before anything is sent; on fsim, the supervisor's
// leg joins the agent's leg and the mode digits switch who hears it.
import t from 'tap';
import pino from 'pino';
import { randomUUID } from 'node:crypto';
import { eavesdropCommands } from '../src/freeswitch/eavesdrop.ts';
import { InvalidCommandArgument } from '../src/freeswitch/commands.ts';
import { InboundNode } from '../src/freeswitch/inbound-node.ts';
import { ESL_PASSWORD, withFsim } from './helpers/fsim.ts';
import { eventually } from './helpers/service.ts';

t.test('refused values never reach the switch', async (t) => {
  const sent: string[] = [];
  const record = async (c: string): Promise<string> => {
    sent.push(c);
    return '+OK';
  };
  const cmds = eavesdropCommands(record, record);
  const leg = randomUUID();
  await t.rejects(cmds.eavesdrop({ dialstring: 'user/1099', targetUuid: 'not-a-uuid', legUuid: leg, mode: 'listen', timeoutSec: 10 }), InvalidCommandArgument);
  await t.rejects(cmds.eavesdrop({ dialstring: 'user/1099 &bridge(x)', targetUuid: randomUUID(), legUuid: leg, mode: 'listen', timeoutSec: 10 }), InvalidCommandArgument);
  await t.rejects(cmds.eavesdropMode(`${leg} 1`, 'barge'), InvalidCommandArgument);
  await t.rejects(cmds.eavesdropMode(leg, 'spy' as never), InvalidCommandArgument);
  t.same(sent, [], 'nothing sent');
});

t.test('on fsim: listen, then whisper and barge by digit', async (t) => {
  const fsim = await withFsim(t, { serviceSocket: '127.0.0.1:9', timeScale: 1 });
  for (const id of ['1001', '1002', '1099']) fsim.sw.registerUser(id, { answerAfterMs: 50 });
  const digits: string[] = [];
  let up: (() => void) | undefined;
  const node = new InboundNode(
    { name: 'fs1', host: '127.0.0.1', port: fsim.eslPort, password: ESL_PASSWORD, commandTimeoutMs: 5000, reconnect: { initialMs: 100, maxMs: 1000, jitter: 0 }, events: ['DTMF', 'MEDIA_BUG_START', 'BACKGROUND_JOB'], logger: pino({ level: 'silent' }) },
    { onEvent: (e) => e.get('Event-Name') !== 'BACKGROUND_JOB' && void digits.push(`${e.get('Event-Name')} ${e.get('DTMF-Digit') ?? e.get('Media-Bug-Function') ?? ''}`), onConnected: () => up?.(), onDisconnected: () => {} },
  );
  const ready = new Promise<void>((r) => (up = r));
  node.start();
  t.teardown(() => node.stop());
  await ready;
  const [caller, agent] = [randomUUID(), randomUUID()];
  await node.api(`originate {origination_uuid=${caller}}user/1001 &park`);
  await node.api(`originate {origination_uuid=${agent}}user/1002 &park`);
  await node.api(`uuid_bridge ${caller} ${agent}`);
  const cmds = eavesdropCommands((c) => node.api(c), (c, ms) => node.bgapi(c, ms));
  const sup = randomUUID();
  t.equal(await cmds.eavesdrop({ dialstring: 'user/1099', targetUuid: agent, legUuid: sup, mode: 'listen', timeoutSec: 10 }), sup);
  await eventually('listening', () => fsim.sw.audioSources(sup).length === 2);
  t.same(fsim.sw.audioSources(agent), [caller]);
  await cmds.eavesdropMode(sup, 'whisper');
  await eventually('whisper', () => fsim.sw.audioSources(agent).includes(sup));
  t.notOk(fsim.sw.audioSources(caller).includes(sup), 'the caller does not hear a whisper');
  await cmds.eavesdropMode(sup, 'barge');
  await eventually('barge', () => fsim.sw.audioSources(caller).includes(sup));
  await cmds.eavesdropMode(sup, 'listen');
  await eventually('back to listen', () => !fsim.sw.audioSources(caller).includes(sup) && !fsim.sw.audioSources(agent).includes(sup));
  t.same(digits, ['MEDIA_BUG_START eavesdrop', 'DTMF 2', 'DTMF 3', 'DTMF 0'], 'the media bug, then each mode digit read');
  await cmds.kill(sup);
});
