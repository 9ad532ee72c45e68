// uuid_hold / uuid_hold off on a bridged call (capture 18) and uuid_broadcast + uuid_break on a
// parked call (capture 19): the broadcast is a COMMAND private event fired after its playback.
import t from 'tap';
import type { FsEvent } from '../src/types.ts';
import { VirtualClock } from '../src/core/clock.ts';
import { apiReplies, diffWithCapture, hv, mkSwitch } from './helpers/switch-run.ts';

/** Wait in virtual time (20 ms steps) until `pred` holds: no real-time race with the switch. */
async function vUntil(clock: VirtualClock, pred: () => boolean, maxMs = 600_000): Promise<boolean> {
  for (let t = 0; t < maxMs && !pred(); t += 20) await clock.sleep(20);
  return pred();
}

/**
 * Events as a wire reader names them: by their first Event-Name header. A broadcast's COMMAND is
 * fired as PRIVATE_COMMAND (what subscriptions match) but starts with its creation headers.
 */
const onWire = (evs: readonly FsEvent[]): FsEvent[] => evs.map((e) => ({ ...e, name: hv(e, 'Event-Name') ?? e.name }));

t.test('18: hold a bridged caller: HELD, music on the agent leg, UNHELD/ACTIVE, CHANNEL_UNHOLD', async (t) => {
  const clock = new VirtualClock();
  const { sw, events } = mkSwitch({ clock });
  const a = sw.placeCall({ from: 'sipp', to: '9010' });
  await vUntil(clock, () => events.some((e) => e.name === 'CALL_UPDATE' && e.uuid === a));
  await clock.sleep(500);
  const replies: string[] = [];
  replies.push(await sw.api('uuid_hold', a));
  await vUntil(clock, () => events.some((e) => e.name === 'PLAYBACK_START'));
  await clock.sleep(2000);
  replies.push(await sw.api('uuid_hold', `off ${a}`));
  const names = events.filter((e) => e.uuid !== a && e.uuid).map((e) => e.name);
  t.same(names.slice(names.indexOf('CHANNEL_EXECUTE')), ['CHANNEL_EXECUTE', 'PLAYBACK_START', 'PLAYBACK_STOP', 'CHANNEL_EXECUTE_COMPLETE', 'PRIVATE_COMMAND'], 'music on the agent leg, broken by unhold');
  const stop = events.find((e) => e.name === 'PLAYBACK_STOP');
  t.equal(hv(stop, 'Playback-Status'), 'break');
  t.equal(hv(stop, 'Playback-File-Type'), 'local_stream');
  await clock.sleep(500);
  sw.hangupCall(a);
  await vUntil(clock, () => sw.liveCount() === 0);
  t.same(replies, apiReplies('18_hold_unhold'));
  t.same(diffWithCapture('18_hold_unhold', onWire(events)), [], 'the whole call in form, bridge application included');
  sw.close();
});

t.test('19: uuid_broadcast to a parked call, uuid_break all; a second broadcast plays out', async (t) => {
  const clock = new VirtualClock();
  const { sw, events } = mkSwitch({ clock });
  const u = sw.placeCall({ from: 'sipp', to: '9001' });
  await vUntil(clock, () => events.some((e) => e.name === 'CHANNEL_PARK'));
  await clock.sleep(1000);
  const replies: string[] = [];
  replies.push(await sw.api('uuid_broadcast', `${u} tone_stream://%(1000,0,440) aleg`));
  await vUntil(clock, () => events.some((e) => e.name === 'PLAYBACK_START'));
  await clock.sleep(300);
  replies.push(await sw.api('uuid_break', `${u} all`));
  await vUntil(clock, () => events.filter((e) => hv(e, 'Event-Name') === 'COMMAND').length === 1);
  replies.push(await sw.api('uuid_broadcast', `${u} tone_stream://%(1000,0,440) aleg`));
  await vUntil(clock, () => events.filter((e) => hv(e, 'Event-Name') === 'COMMAND').length === 2);
  replies.push(await sw.api('uuid_break', `${u} all`));
  replies.push(await sw.api('uuid_kill', u));
  await vUntil(clock, () => sw.liveCount() === 0);
  t.same(events.filter((e) => e.name === 'PLAYBACK_STOP').map((e) => hv(e, 'Playback-Status')), ['break', 'done']);
  t.equal(events.filter((e) => e.name === 'CHANNEL_PARK').length, 1, 'uuid_break leaves the park alone');
  t.same(replies, apiReplies('19_broadcast_break'));
  t.same(diffWithCapture('19_broadcast_break', onWire(events)), []);
  sw.close();
});
