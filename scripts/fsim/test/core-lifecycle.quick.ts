// Fidelity of the switch model against real FreeSWITCH 1.10.12 captures.
import t from 'tap';
import { Switch } from '../src/core/switch.ts';
import { RealClock } from '../src/core/clock.ts';
import type { FsEvent, RoutingInput, RoutingResult } from '../src/types.ts';
import { loadCapture } from './helpers/capture.ts';

const router = (i: RoutingInput): RoutingResult | undefined => {
  if (i.destinationNumber === '9000') return { extension: '9000', actions: [
    { application: 'answer', data: '' },
    { application: 'playback', data: 'tone_stream://%(1000,0,440);loops=2' },
    { application: 'hangup', data: 'NORMAL_CLEARING' },
  ] };
  if (i.destinationNumber === '9001') return { extension: '9001', actions: [{ application: 'answer', data: '' }, { application: 'park', data: '' }] };
  return undefined;
};

function mk(): { sw: Switch; events: FsEvent[] } {
  const sw = new Switch({ clock: new RealClock({ timeScale: 0.01 }), router, config: { heartbeatSec: 0 } });
  const events: FsEvent[] = [];
  sw.onEvent((e) => events.push(e));
  return { sw, events };
}

const names = (hs: readonly (readonly [string, string])[]): string[] => hs.map((h) => h[0]).filter((n) => !n.startsWith('variable_'));

t.test('inbound call to 9000 matches capture 02 in events and header names', async (t) => {
  const { sw, events } = mk();
  const uuid = sw.placeCall({ from: 'sipp', to: '9000' });
  await sw.channels.get(uuid)?.destroyedPromise;
  const cap = loadCapture('02_event_plain_ALL_call_9000').events;
  t.same(events.map((e) => e.name), cap.map((e) => e.name), 'same event sequence');
  for (let i = 0; i < cap.length; i++) {
    const c = cap[i];
    const e = events[i];
    if (!c || !e) continue;
    t.same(names(e.headers), names(c.headers), `header names of #${i} ${c.name}`);
  }
  const hc = events.find((e) => e.name === 'CHANNEL_HANGUP_COMPLETE');
  const capHc = cap.find((e) => e.name === 'CHANNEL_HANGUP_COMPLETE');
  const vn = (hs: readonly (readonly [string, string])[]): string[] => hs.map((h) => h[0]).filter((n) => n.startsWith('variable_'));
  t.same(vn(hc?.headers ?? []), vn(capHc?.headers ?? []), 'HANGUP_COMPLETE variable names');
  const ts = events.map((e) => Number(e.headers.find((h) => h[0] === 'Event-Date-Timestamp')?.[1]));
  t.ok(ts.every((x, i) => i === 0 || x >= (ts[i - 1] ?? 0)), 'timestamps monotonic');
  sw.close();
});

t.test('no route: NO_ROUTE_DESTINATION', async (t) => {
  const { sw, events } = mk();
  const uuid = sw.placeCall({ from: '100', to: '8999' });
  await sw.channels.get(uuid)?.destroyedPromise;
  const h = events.find((e) => e.name === 'CHANNEL_HANGUP');
  t.equal(h?.headers.find((x) => x[0] === 'Hangup-Cause')?.[1], 'NO_ROUTE_DESTINATION');
  sw.close();
});

t.test('api texts', async (t) => {
  const { sw } = mk();
  t.equal(await sw.api('nosuchcommand', ''), '-ERR nosuchcommand Command not found!\n');
  t.equal(await sw.api('uuid_kill', '00000000-0000-4000-8000-000000000000'), '-ERR No such channel!\n');
  t.equal(await sw.api('uuid_bridge', 'a b'), '-ERR Invalid uuid\n');
  t.equal(await sw.api('show', 'channels as json'), '{"row_count": 0}\n');
  t.equal(await sw.api('show', 'calls count'), '\n0 total.\n');
  t.match(await sw.api('version', ''), /^FreeSWITCH Version 1\.10\.12-release/);
  t.equal(await sw.sendmsg('00000000-0000-4000-8000-000000000004', { headers: new Map([['call-command', 'execute']]) }), '-ERR invalid session id [00000000-0000-4000-8000-000000000004]');
  t.equal(await sw.api('originate', '{originate_timeout=3}user/1001 &park'), '-ERR USER_NOT_REGISTERED\n');
  sw.close();
});

t.test('originate user, park, bridge, kill', async (t) => {
  const { sw, events } = mk();
  sw.registerUser('1001', { answerAfterMs: 100 });
  sw.registerUser('1002', { answerAfterMs: 100 });
  const r1 = await sw.api('originate', '{origination_uuid=aaaaaaaa-0000-4000-8000-000000000001}user/1001 &park');
  t.equal(r1, '+OK aaaaaaaa-0000-4000-8000-000000000001\n');
  const r2 = await sw.api('originate', 'user/1002 &park');
  const u2 = r2.slice(4).trim();
  await new Promise((r) => setTimeout(r, 20));
  t.equal(await sw.api('uuid_bridge', `aaaaaaaa-0000-4000-8000-000000000001 ${u2}`), `+OK ${u2}\n`);
  await new Promise((r) => setTimeout(r, 20));
  t.ok(events.some((e) => e.name === 'CHANNEL_BRIDGE'));
  t.equal(await sw.api('uuid_kill', u2), '+OK\n');
  await new Promise((r) => setTimeout(r, 50));
  t.equal(await sw.api('uuid_kill', u2), '-ERR No such channel!\n');
  const seq = events.filter((e) => e.uuid === u2).map((e) => e.name);
  t.same(seq.slice(0, 4), ['CHANNEL_OUTGOING', 'CHANNEL_STATE', 'CHANNEL_CREATE', 'CHANNEL_ORIGINATE']);
  t.ok(seq.includes('CHANNEL_HANGUP_COMPLETE'));
  sw.close();
});

t.test('originate no answer', async (t) => {
  const { sw } = mk();
  sw.registerUser('1001', { neverAnswer: true });
  t.equal(await sw.api('originate', '{originate_timeout=3}user/1001 &park'), '-ERR NO_ANSWER\n');
  sw.registerUser('1003', { rejectCause: 'USER_BUSY' });
  t.equal(await sw.api('originate', 'user/1003 &park'), '-ERR USER_BUSY\n');
  sw.close();
});

t.test('uuid_getvar falls back to caller-profile fields (capture 13: destination_number)', async (t) => {
  const { sw, events } = mk();
  const u = sw.placeCall({ from: 'sipp', to: '9001' });
  for (let i = 0; i < 200 && !events.some((e) => e.name === 'CHANNEL_PARK'); i++) await new Promise((r) => setTimeout(r, 2));
  t.equal(await sw.api('uuid_getvar', `${u} destination_number`), '9001');
  t.equal(await sw.api('uuid_getvar', `${u} caller_id_number`), 'sipp');
  t.equal(await sw.api('uuid_getvar', `${u} no_such_var`), '_undef_');
  sw.close();
});
