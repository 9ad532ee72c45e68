// The dialplan `socket` application under an async outbound socket (captures 23 and 23_inbound):
// sendmsg execute queued as private events, PRIVATE_COMMAND only for commands parsed once the
// channel has media, a refused `park` (the socket app already parks the channel), and
// uuid_transfer from the inbound side ending the socket application.
import t from 'tap';
import type { FsEvent, Header, OutboundConnector, SendMsg } from '../src/types.ts';
import { VirtualClock } from '../src/core/clock.ts';
import { apiReplies, diffWithCapture, hv, mkSwitch, toCaptured } from './helpers/switch-run.ts';
import { loadCapture } from './helpers/capture.ts';
import { compareEvents } from './helpers/form.ts';

/** Wait in virtual time (20 ms steps) until `pred` holds: no real-time race with the switch. */
async function vUntil(clock: VirtualClock, pred: () => boolean, maxMs = 600_000): Promise<boolean> {
  for (let t = 0; t < maxMs && !pred(); t += 20) await clock.sleep(20);
  return pred();
}
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
  const clock = new VirtualClock();
  const l = listener(async ({ sw, events }, uuid) => {
    const c = { controlled: true };
    replies.push(await sw.sendmsg(uuid, execute('answer', undefined, '23000000-0000-4000-8000-00000000000a'), c));
    // The listener sends the next command once the answer has completed, a few ticks later.
    await vUntil(clock, () => events.some((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && hv(e, 'Application') === 'answer'));
    await clock.sleep(40);
    replies.push(await sw.sendmsg(uuid, execute('play_and_get_digits', '1 4 2 3000 # tone_stream://%(200,0,800) silence_stream://250 ivr_digits \\d+', '23000000-0000-4000-8000-00000000000b'), c));
  });
  const run: Run = mkSwitch({ outbound: l.connector, clock });
  const { sw, events } = run;
  l.bind(run);
  const uuid = sw.placeCall({ from: 'sipp', to: '9002' });
  await vUntil(clock, () => events.some((e) => e.name === 'CHANNEL_ANSWER'));
  for (const d of ['1', '2', '3', '#']) {
    await clock.sleep(1200);
    sw.sendDtmf(uuid, d);
  }
  await vUntil(clock, () => events.some((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && hv(e, 'Application') === 'play_and_get_digits'));
  const c = { controlled: true };
  replies.push(await sw.sendmsg(uuid, execute('set', 'ivr_case_digits=${ivr_digits}', '23000000-0000-4000-8000-00000000000c'), c));
  await vUntil(clock, () => events.some((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && hv(e, 'Application') === 'set'));
  replies.push(await sw.sendmsg(uuid, execute('park', undefined, '23000000-0000-4000-8000-00000000000d'), c));
  await vUntil(clock, () => events.filter((e) => e.name === 'PRIVATE_COMMAND').length === 3);
  await clock.sleep(1500);
  const api: string[] = [];
  api.push(await sw.api('uuid_getvar', `${uuid} ivr_digits`));
  api.push(await sw.api('uuid_getvar', `${uuid} ivr_case_digits`));
  api.push(await sw.api('uuid_transfer', `${uuid} 9010 XML default`));
  await vUntil(clock, () => events.some((e) => e.name === 'CHANNEL_BRIDGE'));
  await clock.sleep(2000);
  sw.hangupCall(uuid);
  await vUntil(clock, () => sw.liveCount() === 0);
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
  t.same(diffWithCapture('23_outbound_socket_ivr_inbound', asJson(events)), [], 'the whole call, bridge after the transfer included');
  sw.close();
});

t.test('sendmsg to a parked channel: queued, PRIVATE_COMMAND after the app, loops, park refused', async (t) => {
  const clock = new VirtualClock();
  const { sw, events } = mkSwitch({ clock });
  const uuid = sw.placeCall({ from: 'sipp', to: '9001' });
  await vUntil(clock, () => events.some((e) => e.name === 'CHANNEL_PARK'));
  // loops: each run of a 1 s tone takes >= 0.5 s, so all three run; current_loop counts them.
  const loopsSeen: string[] = [];
  const off = sw.onEvent((e) => { if (e.name === 'CHANNEL_EXECUTE' && hv(e, 'Application') === 'playback') loopsSeen.push(hv(e, 'variable_current_loop') ?? ''); });
  t.equal(await sw.sendmsg(uuid, msg({ 'call-command': 'execute', 'execute-app-name': 'playback', 'execute-app-arg': 'tone_stream://%(1000,0,440)', loops: '3', 'event-lock': 'true' })), '+OK');
  // A second message waits for the first (one private event at a time).
  t.equal(await sw.sendmsg(uuid, execute('park', undefined, '00000000-0000-4000-8000-0000000000aa')), '+OK');
  await vUntil(clock, () => events.filter((e) => e.name === 'PRIVATE_COMMAND').length === 2);
  off();
  t.same(loopsSeen, ['1', '2', '3'], 'loops=3 runs the application three times');
  const pcs = events.filter((e) => e.name === 'PRIVATE_COMMAND');
  t.same(pcs.map((e) => hv(e, 'execute-app-name')), ['playback', 'park']);
  t.match(hv(pcs[0], 'Command'), /^sendmsg [0-9a-f-]{36}\ncall-command: execute\n/, 'Command carries the command line and headers');
  t.equal(pcs[0]?.headers[0]?.[0], 'Command', "the message's own headers come first");
  t.notOk(pcs[0]?.headers.some(([k]) => k.startsWith('variable_')), 'no channel variables');
  const parkIdx = events.findIndex((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && hv(e, 'Application') === 'park' && hv(e, 'Application-UUID') === '00000000-0000-4000-8000-0000000000aa');
  t.ok(parkIdx > 0, 'park ran');
  t.equal(events[parkIdx + 1]?.name, 'PRIVATE_COMMAND', 'PRIVATE_COMMAND right after the application completes');
  t.equal(events.filter((e) => e.name === 'CHANNEL_PARK').length, 1, 'an already parked channel is not parked again');
  t.notOk(sw.channels.get(uuid)?.vars.get('current_loop'), 'current_loop cleared after the loop');
  // A quick application stops the loop: a run under half a second ends it.
  const before = events.filter((e) => e.name === 'CHANNEL_EXECUTE' && hv(e, 'Application') === 'set').length;
  await sw.sendmsg(uuid, msg({ 'call-command': 'execute', 'execute-app-name': 'set', 'execute-app-arg': 'x=1', loops: '5' }));
  await vUntil(clock, () => events.filter((e) => e.name === 'PRIVATE_COMMAND').length === 3);
  t.equal(events.filter((e) => e.name === 'CHANNEL_EXECUTE' && hv(e, 'Application') === 'set').length - before, 1);
  t.equal(await sw.sendmsg(uuid, msg({ 'call-command': 'unicast' })), '+OK', 'other call-commands are accepted');
  t.equal(await sw.sendmsg('00000000-0000-4000-8000-000000000009', msg({ 'call-command': 'execute' })), '-ERR invalid session id [00000000-0000-4000-8000-000000000009]');
  sw.close();
});

t.test('static (sync) socket: sendmsg runs inline and replies after the app; async: true queues it', async (t) => {
  let log: string[] = [];
  const clock = new VirtualClock();
  const run: Run = mkSwitch({
    clock,
    router: (i) => (i.destinationNumber === '9004' ? { extension: 's', actions: [{ application: 'socket', data: '127.0.0.1:8084 full' }] } : undefined),
    outbound: async ({ uuid, onConnected }) => {
      onConnected?.();
      log.push(await run.sw.sendmsg(uuid, execute('answer', undefined, '00000000-0000-4000-8000-0000000000b1'), { controlled: true }));
      const done = run.events.some((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && hv(e, 'Application') === 'answer');
      log.push(done ? 'answer completed before the reply' : 'reply before completion');
      log.push(await run.sw.sendmsg(uuid, execute('playback', 'silence_stream://100', '00000000-0000-4000-8000-0000000000b2'), { controlled: true }));
      // `async: true` queues it instead: the reply comes first, the app runs on the channel's thread.
      log.push(await run.sw.sendmsg(uuid, msg({ 'call-command': 'execute', 'execute-app-name': 'playback', 'execute-app-arg': 'silence_stream://1000', async: 'true' }), { controlled: true }));
      const running = run.events.filter((e) => e.name === 'CHANNEL_EXECUTE_COMPLETE' && hv(e, 'Application') === 'playback').length;
      log.push(running === 1 ? 'async reply before the app' : 'async reply after the app');
      await vUntil(clock, () => run.events.some((e) => e.name === 'PRIVATE_COMMAND'));
      // The listener goes away: the socket application returns and the dialplan ends.
    },
  });
  const { sw, events } = run;
  log = [];
  sw.placeCall({ from: 'sipp', to: '9004' });
  await vUntil(clock, () => sw.liveCount() === 0);
  t.same(log, ['+OK', 'answer completed before the reply', '+OK', '+OK', 'async reply before the app']);
  t.notOk(events.some((e) => e.name === 'CHANNEL_PARK'), 'no park in static mode');
  t.same(events.filter((e) => e.name === 'PRIVATE_COMMAND').map((e) => hv(e, 'async')), ['true'], 'only the queued message comes back as PRIVATE_COMMAND');
  sw.close();
});

t.test('holdSession: a lingering listener keeps the hung-up channel until it lets go (CHANNEL_DESTROY waits)', async (t) => {
  const clock = new VirtualClock();
  const { sw, events } = mkSwitch({ clock });
  const u = sw.placeCall({ from: 'sipp', to: '9001' });
  await vUntil(clock, () => events.some((e) => e.name === 'CHANNEL_PARK'));
  const release = sw.holdSession(u);
  t.equal(await sw.api('uuid_kill', u), '+OK\n');
  await vUntil(clock, () => events.some((e) => e.name === 'CHANNEL_HANGUP_COMPLETE'));
  await clock.sleep(6000);
  t.notOk(events.some((e) => e.name === 'CHANNEL_DESTROY'), 'no CHANNEL_DESTROY while held');
  t.equal(sw.liveCount(), 1, 'the session still exists');
  release();
  release();
  t.same(events.slice(-2).map((e) => `${e.name}${e.name === 'CHANNEL_STATE' ? `:${hv(e, 'Channel-State') ?? ''}` : ''}`), ['CHANNEL_DESTROY', 'CHANNEL_STATE:CS_DESTROY']);
  t.equal(sw.liveCount(), 0);
  t.equal(events.filter((e) => e.name === 'CHANNEL_DESTROY').length, 1, 'release is idempotent');
  sw.holdSession('00000000-0000-4000-8000-000000000000')();
  sw.close();
});
