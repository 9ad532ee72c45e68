// uuid_record start / stop / a second stop (capture 20), uuid_deflect (25), show channels|calls
// and HEARTBEAT (26), uuid_dump json (06).
import t from 'tap';
import { VirtualClock } from '../src/core/clock.ts';
import { apiReplies, diffWithCapture, hv, mkSwitch } from './helpers/switch-run.ts';

/** Wait in virtual time (20 ms steps) until `pred` holds: no real-time race with the switch. */
async function vUntil(clock: VirtualClock, pred: () => boolean, maxMs = 600_000): Promise<boolean> {
  for (let t = 0; t < maxMs && !pred(); t += 20) await clock.sleep(20);
  return pred();
}

t.test('20: uuid_record start/stop on a call playing a tone; a second stop fails', async (t) => {
  const clock = new VirtualClock();
  const { sw, events } = mkSwitch({ clock });
  const u = sw.placeCall({ from: 'sipp', to: '9003' });
  await vUntil(clock, () => events.some((e) => e.name === 'PLAYBACK_START'));
  await clock.sleep(1000);
  const replies: string[] = [];
  replies.push(await sw.api('uuid_record', `${u} start /var/tmp/rec/x1.wav`));
  await clock.sleep(2000);
  replies.push(await sw.api('uuid_record', `${u} stop /var/tmp/rec/x1.wav`));
  replies.push(await sw.api('uuid_record', `${u} stop /var/tmp/rec/x1.wav`));
  replies.push(await sw.api('uuid_kill', u));
  await vUntil(clock, () => sw.liveCount() === 0);
  t.same(replies, apiReplies('20_record'));
  t.same(events.filter((e) => /^(RECORD|MEDIA_BUG)_/.test(e.name)).map((e) => e.name), ['RECORD_START', 'MEDIA_BUG_START', 'RECORD_STOP', 'MEDIA_BUG_STOP']);
  t.equal(hv(events.find((e) => e.name === 'RECORD_STOP'), 'variable_record_seconds'), '2');
  t.same(diffWithCapture('20_record', events), []);
  sw.close();
});

t.test('a recording still running at hangup is stopped with the channel', async (t) => {
  const clock = new VirtualClock();
  const { sw, events } = mkSwitch({ clock });
  const u = sw.placeCall({ from: 'sipp', to: '9003' });
  await vUntil(clock, () => events.some((e) => e.name === 'PLAYBACK_START'));
  t.equal(await sw.api('uuid_record', `${u} start /tmp/a.wav`), '+OK Success\n');
  await sw.api('uuid_kill', u);
  await vUntil(clock, () => sw.liveCount() === 0);
  const names = events.filter((e) => e.uuid === u).map((e) => e.name);
  t.ok(names.indexOf('RECORD_STOP') > names.indexOf('CHANNEL_HANGUP') && names.indexOf('RECORD_STOP') < names.indexOf('CHANNEL_HANGUP_COMPLETE'));
  sw.close();
});
