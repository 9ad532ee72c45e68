// The simulated phone against the real fsim control API: it registers as a manual phone, hears its
// leg ring on /events, answers it, sends DTMF, and hears the hangup. Node 20 has no global
// WebSocket, so the test lends it the `ws` client, which has the browser's onopen/onmessage API.
import t from 'tap';
import { WebSocket as WsClient } from 'ws';
import { startFsim } from '../../scripts/fsim/src/fsim.ts';
import { EslTestClient } from '../../scripts/fsim/test/helpers/esl-test-client.ts';
import { CAPTURE_DIALPLAN } from '../../scripts/fsim/test/helpers/replay.ts';
import type { PhoneEvent } from '../src/phone/phone-base.ts';
import { SimPhone } from '../src/phone/sim-phone.ts';

if (!('WebSocket' in globalThis)) Object.assign(globalThis, { WebSocket: WsClient });

async function until<T>(what: string, f: () => T | undefined): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

t.test('register, ring, answer, DTMF, hangup', async (t) => {
  const fsim = await startFsim({ esl: { port: 0, password: 'ClueCon' }, control: { port: 0 }, dialplan: { files: [CAPTURE_DIALPLAN] }, timeScale: 0.05, switch: { heartbeatSec: 0 } });
  t.teardown(() => fsim.close());
  const phone = new SimPhone({ kind: 'simulated', controlUrl: `http://127.0.0.1:${fsim.controlPort ?? 0}/`, user: '1001' });
  const events: PhoneEvent[] = [];
  phone.on((e) => events.push(e));
  await phone.start();
  await until('registered', () => phone.status === 'ready');
  t.equal(phone.kind, 'simulated');

  const esl = await EslTestClient.connect(fsim.eslPort);
  t.teardown(() => esl.close());
  await esl.next();
  await esl.command('auth ClueCon');
  const uuid = '10010000-0000-4000-8000-0000000000aa';
  await esl.command(`bgapi originate {origination_uuid=${uuid}}user/1001 &park()`);

  t.match(await until('ringing', () => events.find((e) => e.type === 'ringing')), { type: 'ringing', uuid });
  await new Promise((r) => setTimeout(r, 100));
  t.notOk(events.some((e) => e.type === 'answered'), 'a manual phone waits for the agent');
  await phone.answer(uuid);
  t.match(await until('answered', () => events.find((e) => e.type === 'answered')), { type: 'answered', uuid });

  await phone.sendDtmf(uuid, '12#');
  await t.rejects(phone.sendDtmf(uuid, 'x'), /invalid DTMF/);
  await t.rejects(phone.answer('00000000-0000-4000-8000-000000000000'), /no ringing simulated endpoint/, 'fsim\'s refusal reaches the UI');

  phone.setMute(true);
  t.equal(phone.muted, true);
  t.match(events.at(-1), { type: 'mute', on: true });

  await esl.command(`api uuid_kill ${uuid}`);
  t.match(await until('hangup', () => events.find((e) => e.type === 'ended')), { type: 'ended', uuid, cause: 'NORMAL_CLEARING' });

  await phone.stop();
  t.equal(phone.status, 'stopped');
});

t.test('retries with backoff while the control API is unreachable', async (t) => {
  // A port nothing listens on: registration fails and the phone reports it is reconnecting.
  const phone = new SimPhone({ kind: 'simulated', controlUrl: 'http://127.0.0.1:9', user: '1001' });
  const statuses: string[] = [];
  phone.on((e) => void (e.type === 'status' && statuses.push(e.status)));
  await phone.start();
  await until('reconnecting', () => phone.status === 'reconnecting');
  await phone.stop();
  t.same(statuses.slice(0, 2), ['connecting', 'reconnecting']);
  t.equal(phone.status, 'stopped');
});
