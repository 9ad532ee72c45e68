// The dialplan `socket` application under an async outbound socket (captures 23 and 23_inbound):
// sendmsg execute queued as private events, PRIVATE_COMMAND only for commands parsed once the
// channel has media, a refused `park` (the socket app already parks the channel), and
// uuid_transfer from the inbound side ending the socket application.
import t from 'tap';
import type { FsEvent, Header, OutboundConnector, SendMsg } from '../src/types.ts';
import { apiReplies, diffWithCapture, hv, mkSwitch, sleep, toCaptured, until } from './helpers/switch-run.ts';
import { loadCapture } from './helpers/capture.ts';
import { compareEvents } from './helpers/form.ts';
import type { Run } from './helpers/switch-run.ts';

/**
 * The capture is `event json`: a header FreeSWITCH adds twice (CODEC's Channel-Write-Codec-*) is one
 * JSON key there, at its first position. Fold the simulated events the same way.
 */
function asJson(evs: readonly FsEvent[]): FsEvent[] {
  return evs.map((e) => {
    const seen = new Set<string>();
    const headers: Header[] = [];
    for (const [k, v] of e.headers) {
      if (seen.has(k)) continue;
      seen.add(k);
      headers.push([k, v]);
    }
    return { ...e, headers };
  });
}

const msg = (h: Record<string, string>): SendMsg => ({ headers: new Map(Object.entries(h)) });

/** An async outbound listener that runs `script` once connected; never ends the socket itself. */
function listener(script: (run: Run, uuid: string) => Promise<void>): { connector: OutboundConnector; bind(run: Run): void } {
  let bound: Run | undefined;
  const connector: OutboundConnector = async ({ uuid, onConnected }) => {
    onConnected?.();
    if (bound) await script(bound, uuid).catch(() => undefined);
    // The listener keeps the socket open (linger); the app ends by transfer or hangup.
    await new Promise<void>(() => undefined);
  };
  return { connector, bind: (r) => (bound = r) };
}

const execute = (app: string, arg: string | undefined, id: string): SendMsg =>
  msg({ 'call-command': 'execute', 'execute-app-name': app, ...(arg !== undefined ? { 'execute-app-arg': arg } : {}), 'event-uuid': id });

t.test('23: socket IVR: answer, play_and_get_digits, set, refused park, uuid_transfer to a bridge', async (t) => {
  const replies: string[] = [];
  const l = listener(async ({ sw, events }, uuid) => {
    const c = { controlled: true };
    replies.push(await sw.sendmsg(uuid, execute('answer', undefined, '23000000-0000-4000-8000-00000000000a'), c));
    // The listener sends the next command once the answer has completed, a few ticks later.
    await until(() => events.some((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && hv(e, 'Application') === 'answer'));
    await sleep(2);
    replies.push(await sw.sendmsg(uuid, execute('play_and_get_digits', '1 4 2 3000 # tone_stream://%(200,0,800) silence_stream://250 ivr_digits \\d+', '23000000-0000-4000-8000-00000000000b'), c));
  });
  const run: Run = mkSwitch({ outbound: l.connector });
  const { sw, events } = run;
  l.bind(run);
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
  // Up to the end of the socket application (CHANNEL_UNPARK) the capture matches in full.
  const upToUnpark = <T extends { name: string }>(evs: readonly T[]): T[] => evs.slice(0, evs.findIndex((e) => e.name === 'CHANNEL_UNPARK') + 1);
  const ref = upToUnpark(loadCapture('23_outbound_socket_ivr_inbound').events.filter((e) => !['HEARTBEAT', 'RE_SCHEDULE', 'API'].includes(e.name)));
  const sim = upToUnpark(toCaptured(asJson(events)).filter((e) => e.name !== 'API'));
  t.same(compareEvents(ref, sim), [], 'socket part matches capture 23_inbound');
  // The bridge application after the transfer still differs in variables and Callee-ID headers
  // (originated_legs, originate_causes, switch_m_sdp, bridge_to ... on the a-leg).
  const rest = diffWithCapture('23_outbound_socket_ivr_inbound', asJson(events));
  t.same(rest, [], 'whole call matches capture 23_inbound', { todo: rest.length ? 'bridge application a-leg variables' : false });
  sw.close();
});
