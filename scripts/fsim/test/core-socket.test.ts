// The dialplan `socket` application under an async outbound socket (captures 23 and 23_inbound):
// sendmsg execute queued as private events, PRIVATE_COMMAND only for commands parsed once the
// channel has media, a refused `park` (the socket app already parks the channel), and
// uuid_transfer from the inbound side ending the socket application.
import t from 'tap';
import type { OutboundConnector, SendMsg } from '../src/types.ts';
import type { Switch } from '../src/core/switch.ts';
import { apiReplies, diffWithCapture, hv, mkSwitch, sleep, until } from './helpers/switch-run.ts';
import type { Run } from './helpers/switch-run.ts';

const msg = (h: Record<string, string>): SendMsg => ({ headers: new Map(Object.entries(h)) });

/** An async outbound listener that runs `script` once connected; never ends the socket itself. */
function listener(script: (sw: Switch, uuid: string) => Promise<void>): { connector: OutboundConnector; bind(sw: Switch): void; done: Promise<void> } {
  let sw: Switch | undefined;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolveDone = r));
  const connector: OutboundConnector = async ({ uuid, onConnected }) => {
    onConnected?.();
    if (sw) await script(sw, uuid).catch(() => undefined);
    resolveDone();
    // The listener keeps the socket open (linger); the app ends by transfer or hangup.
    await new Promise<void>(() => undefined);
  };
  return { connector, bind: (s) => (sw = s), done };
}

const execute = (app: string, arg: string | undefined, id: string): SendMsg =>
  msg({ 'call-command': 'execute', 'execute-app-name': app, ...(arg !== undefined ? { 'execute-app-arg': arg } : {}), 'event-uuid': id });

t.test('23: socket IVR: answer, play_and_get_digits, set, refused park, uuid_transfer to a bridge', async (t) => {
  const replies: string[] = [];
  const l = listener(async (sw, uuid) => {
    const c = { controlled: true };
    replies.push(await sw.sendmsg(uuid, execute('answer', undefined, '23000000-0000-4000-8000-00000000000a'), c));
    replies.push(await sw.sendmsg(uuid, execute('play_and_get_digits', '1 4 2 3000 # tone_stream://%(200,0,800) silence_stream://250 ivr_digits \\d+', '23000000-0000-4000-8000-00000000000b'), c));
  });
  const run: Run = mkSwitch({ outbound: l.connector });
  const { sw, events } = run;
  l.bind(sw);
  const uuid = sw.placeCall({ from: 'sipp', to: '9002' });
  await until(() => events.some((e) => e.name === 'CHANNEL_ANSWER'));
  for (const d of ['1', '2', '3', '#']) {
    await sleep(24); // 1.2 s of switch time between digits
    sw.sendDtmf(uuid, d);
  }
  await until(() => events.some((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && hv(e, 'Application') === 'play_and_get_digits'));
  const c = { controlled: true };
  replies.push(await sw.sendmsg(uuid, execute('set', 'ivr_case_digits=${ivr_digits}', '23000000-0000-4000-8000-00000000000c'), c));
  await until(() => events.some((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && hv(e, 'Application') === 'set'));
  replies.push(await sw.sendmsg(uuid, execute('park', undefined, '23000000-0000-4000-8000-00000000000d'), c));
  await until(() => events.filter((e) => e.name === 'PRIVATE_COMMAND').length === 3);
  await sleep(10);
  const api: string[] = [];
  api.push(await sw.api('uuid_getvar', `${uuid} ivr_digits`));
  api.push(await sw.api('uuid_getvar', `${uuid} ivr_case_digits`));
  api.push(await sw.api('uuid_transfer', `${uuid} 9010 XML default`));
  await until(() => events.some((e) => e.name === 'CHANNEL_BRIDGE'));
  await sleep(40);
  sw.hangupCall(uuid);
  await until(() => sw.liveCount() === 0);
  t.same(replies, ['+OK', '+OK', '+OK', '+OK'], 'every sendmsg is accepted, park included');
  t.same(api, apiReplies('23_outbound_socket_ivr_inbound'));
  const park = events.filter((e) => e.name.startsWith('CHANNEL_EXECUTE') && hv(e, 'Application') === 'park');
  t.same(park.map((e) => [e.name, hv(e, 'Application-Response')]), [['CHANNEL_EXECUTE', undefined], ['CHANNEL_EXECUTE_COMPLETE', '_none_']], 'park runs and returns at once');
  t.equal(events.filter((e) => e.name === 'CHANNEL_PARK').length, 1, 'only the socket app parks');
  const pc = events.filter((e) => e.name === 'PRIVATE_COMMAND').map((e) => hv(e, 'execute-app-name'));
  t.same(pc, ['play_and_get_digits', 'set', 'park'], 'no PRIVATE_COMMAND for the answer parsed before media');
  const d23 = diffWithCapture("23_outbound_socket_ivr_inbound", events);
  if (d23.length) t.comment(d23.join("\n"));
  t.same(d23, []);
  sw.close();
});
