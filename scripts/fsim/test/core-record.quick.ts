// uuid_record start / stop / a second stop (capture 20), uuid_deflect (25), show channels|calls
// and HEARTBEAT (26), uuid_dump json (06).
import t from 'tap';
import { VirtualClock } from '../src/core/clock.ts';
import { apiReplies, diffWithCapture, hv, mkSwitch } from './helpers/switch-run.ts';
import { bodyForm } from './helpers/form.ts';

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

t.test('25: uuid_deflect: REFER, two sofia::notify_refer, BLIND_TRANSFER', async (t) => {
  const clock = new VirtualClock();
  const { sw, events } = mkSwitch({ clock });
  const u = sw.placeCall({ from: 'sipp', to: '9001' });
  await vUntil(clock, () => events.some((e) => e.name === 'CHANNEL_PARK'));
  await clock.sleep(1000);
  const r = await sw.api('uuid_deflect', `${u} sip:dispatcher@127.0.0.1:5073`);
  await vUntil(clock, () => sw.liveCount() === 0);
  t.same([r], apiReplies('25_uuid_deflect'));
  t.equal(hv(events.find((e) => e.name === 'CHANNEL_HANGUP'), 'Hangup-Cause'), 'BLIND_TRANSFER');
  // On the wire an event body comes with its Content-Length header.
  const wire = events.map((e) => (e.body !== undefined ? { ...e, headers: [...e.headers, ['Content-Length', String(Buffer.byteLength(e.body))] as [string, string]] } : e));
  t.same(diffWithCapture('25_uuid_deflect', wire), []);
  sw.close();
});

t.test('26: HEARTBEAT, show channels|calls as json and count with two bridged calls', async (t) => {
  const clock = new VirtualClock();
  const { sw, events } = mkSwitch({ clock, config: { heartbeatSec: 20 } });
  const a = sw.placeCall({ from: 'sipp', to: '9010' });
  const b = sw.placeCall({ from: 'sipp', to: '9010' });
  await vUntil(clock, () => events.filter((e) => e.name === 'CHANNEL_BRIDGE').length === 2);
  await vUntil(clock, () => events.some((e) => e.name === 'HEARTBEAT'));
  const replies: string[] = [];
  replies.push(await sw.api('show', 'channels as json'));
  replies.push(await sw.api('show', 'calls as json'));
  replies.push(await sw.api('show', 'calls count'));
  replies.push(await sw.api('show', 'channels count'));
  replies.push(await sw.api('uuid_kill', a));
  replies.push(await sw.api('uuid_kill', b));
  await vUntil(clock, () => sw.liveCount() === 0);
  const ref = apiReplies('26_heartbeat_and_show_channels');
  t.same(replies.map(bodyForm), ref.map(bodyForm), 'replies in form (JSON by shape)');
  t.same(replies.slice(2), ref.slice(2), 'counts and kills exactly');
  const keys = (s: string | undefined): string[][] => (JSON.parse(s ?? '{}') as { rows: Record<string, string>[] }).rows.map((r) => Object.keys(r));
  t.same(keys(replies[0]), keys(ref[0]), 'show channels: columns in order');
  t.same(keys(replies[1]), keys(ref[1]), 'show calls: columns in order, b_ columns of the bridged leg');
  const hb = events.filter((e) => e.name === 'HEARTBEAT').slice(0, 1);
  t.same(diffWithCapture('26_heartbeat_and_show_channels', hb, { ignore: [] }).filter((d) => !/^channels:/.test(d)), []);
  sw.close();
});

t.test('06: uuid_dump json of an answered originate leg is CHANNEL_DATA as one JSON object', async (t) => {
  const clock = new VirtualClock();
  const { sw } = mkSwitch({ clock });
  const u = '428b3e6a-73fb-4dfc-b4eb-f50bcac63146';
  const replies: string[] = [];
  replies.push(await sw.api('originate', `{origination_uuid=${u},origination_caller_id_number=5550001,origination_caller_id_name=agent1001}sofia/internal/agent1001@127.0.0.1:5070 &park`));
  await clock.sleep(200);
  replies.push(await sw.api('uuid_dump', `${u} json`));
  t.match(await sw.api('uuid_dump', u), /^Event-Name: CHANNEL_DATA\n[\s\S]*[^\n]\n\n$/, 'plain dump: key: value lines, then a blank line');
  replies.push(await sw.api('uuid_kill', u));
  await vUntil(clock, () => sw.liveCount() === 0);
  const ref = apiReplies('06_api_originate_sipp_uas');
  t.same(replies.map(bodyForm), ref.map(bodyForm));
  const names = (s: string | undefined): string[] => Object.keys(JSON.parse(s ?? '{}') as object).filter((k) => !k.startsWith('variable_'));
  t.same(names(replies[1]), names(ref[1]), 'the same non-variable keys in order');
  // Plain uuid_dump ends its header block with a blank line (capture 21).
  const plain = await sw.api('uuid_dump', u);
  t.equal(plain, '-ERR No such channel!\n', 'gone after the kill');
  sw.close();
});
