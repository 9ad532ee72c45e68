// mod_conference against capture 10: three originated legs join conference 3000, list, json_list,
// mute, kick all; CUSTOM conference::maintenance events and the API texts.
import t from 'tap';
import { VirtualClock } from '../src/core/clock.ts';
import type { Router } from '../src/core/config.ts';
import { apiReplies, captureRouter, diffWithCapture, hv, mkSwitch } from './helpers/switch-run.ts';
import { bodyForm } from './helpers/form.ts';

/** Wait in virtual time (20 ms steps) until `pred` holds: no real-time race with the switch. */
async function vUntil(clock: VirtualClock, pred: () => boolean, maxMs = 600_000): Promise<boolean> {
  for (let t = 0; t < maxMs && !pred(); t += 20) await clock.sleep(20);
  return pred();
}

const UUIDS = ['0671580e-4126-4468-8389-7258e3b0769a', '85879833-65ae-433f-a7c2-a9085fa01a53', 'd553e06c-e641-41a1-891a-2b5f7e536c95'];
const norm = (s: string): string => s.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'U').replace(/"(run_time|join_time)":\t\d+/g, '"$1":\tN');

t.test('10: three parties in conference 3000: events, list, json_list, mute, kick all', async (t) => {
  const clock = new VirtualClock();
  // The XML dialplan's `^(30\d\d)$` leaves its captures in DP_MATCH while hunting.
  const router: Router = (i) => {
    const r = captureRouter(i);
    return r && /^30\d\d$/.test(i.destinationNumber)
      ? { ...r, actions: [{ application: 'set', data: `DP_MATCH=ARRAY::${i.destinationNumber}|:${i.destinationNumber}`, inline: true }, ...r.actions] }
      : r;
  };
  const { sw, events } = mkSwitch({ clock, router });
  const jobs = UUIDS.map((u, i) => sw.api('originate', `{origination_uuid=${u},origination_caller_id_number=100${i},origination_caller_id_name=party${i}}sofia/internal/party${i}@127.0.0.1:5070 3000 XML default`, { jobUuid: `0000000${i}-0000-4000-8000-000000000000` }));
  await Promise.all(jobs);
  await vUntil(clock, () => events.some((e) => hv(e, 'Action') === 'floor-change'));
  await clock.sleep(1000);
  const replies: string[] = [];
  replies.push(await sw.api('conference', '3000 list'));
  replies.push(await sw.api('conference', '3000 json_list'));
  replies.push(await sw.api('conference', '3000 mute 1'));
  await clock.sleep(500);
  replies.push(await sw.api('conference', '3000 kick all'));
  await vUntil(clock, () => events.some((e) => hv(e, 'Action') === 'conference-destroy'));
  await vUntil(clock, () => sw.liveCount() === 0);
  const ref = apiReplies('10_conference_3party');
  t.same(replies.map(bodyForm), ref.map(bodyForm), 'api replies in form');
  t.equal(norm(replies[1] ?? ''), norm(ref[1] ?? ''), 'json_list exactly as cJSON prints it');
  t.equal(replies[0]?.replace(/[0-9a-f-]{36}/g, 'U'), ref[0]?.replace(/[0-9a-f-]{36}/g, 'U'), 'list exactly');
  const actions = events.filter((e) => e.subclass === 'conference::maintenance').map((e) => `${hv(e, 'Action')}:${hv(e, 'Member-ID') ?? hv(e, 'New-ID') ?? ''}`);
  t.same(actions, ['conference-create:', 'add-member:1', 'add-member:2', 'add-member:3', 'floor-change:3', 'mute-member:1',
    'kick-member:3', 'kick-member:2', 'kick-member:1', 'del-member:1', 'del-member:2', 'floor-change:none', 'del-member:3', 'conference-destroy:']);
  t.same(diffWithCapture('10_conference_3party', events), []);
  sw.close();
});

t.test('conference API errors, unmute, dial, hangup of a member', async (t) => {
  const clock = new VirtualClock();
  const { sw, events } = mkSwitch({ clock });
  t.equal(await sw.api('conference', 'list'), 'No active conferences.\n');
  t.equal(await sw.api('conference', '3001 list'), '-ERR Conference 3001 not found\n');
  t.equal(await sw.api('conference', '3001 dial sofia/internal/a@127.0.0.1:5070 1234 Alice'), 'Call Requested: result: [SUCCESS]\n');
  await vUntil(clock, () => events.some((e) => hv(e, 'Action') === 'add-member'));
  const u = events.find((e) => hv(e, 'Action') === 'add-member')?.uuid ?? '';
  await clock.sleep(40); // the conference thread's next tick gives the lone member the floor
  t.ok(events.some((e) => hv(e, 'Action') === 'floor-change' && hv(e, 'New-ID') === '1'), 'floor to the only member');
  t.equal(await sw.api('conference', '3001 mute 9'), 'Non-Existant ID 9\n');
  t.match(await sw.api('conference', '3001 mute 1'), /^\+OK mute \d+\n$/);
  t.match(await sw.api('conference', '3001 list'), /;hear(\|floor)?;0;0;100\n$/, 'a muted member cannot speak');
  t.match(await sw.api('conference', '3001 unmute all'), /^\+OK unmute \d+\n$/);
  t.ok(events.some((e) => hv(e, 'Action') === 'unmute-member'));
  t.equal(await sw.api('conference', '3001 count'), '1\n');
  sw.hangupCall(u);
  await vUntil(clock, () => events.some((e) => hv(e, 'Action') === 'conference-destroy'));
  t.same(events.filter((e) => e.subclass === 'conference::maintenance').map((e) => hv(e, 'Action')).slice(-3), ['floor-change', 'del-member', 'conference-destroy'], JSON.stringify(events.filter((e) => e.subclass === 'conference::maintenance').map((e) => hv(e, 'Action'))));
  sw.close();
});
