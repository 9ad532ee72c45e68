// Issue "Call-control core": calls on each line go through the project's dialplan (in fsim) to
// the service, hear the welcome, and land in the right queue with the right priority.
import path from 'node:path';
import t from 'tap';
import type { FsEvent } from '../../scripts/fsim/src/types.ts';
import { DEFAULT_FLOWS } from '../src/ivr/default-flows.ts';
import { eventually, startHarness } from './helpers/service.ts';

t.test('each line reaches its queue with its priority; 110 case data reaches the call record', async (t) => {
  // The 110 DID only accepts calls from the 110 gateway's address: in the test that is loopback.
  const h = await startHarness(t, { dialplanVars: { gw_110_addr_regex: '^127\\.0\\.0\\.1$' } });
  await eventually('FreeSWITCH node connected', () => h.service.calls?.nodeStatus()[0]?.connected);
  const media: string[] = [];
  h.fsim.sw.onEndpointEvent((ev) => {
    if (ev.type === 'media' && ev.state === 'started') media.push(`${ev.uuid} ${ev.file}`);
  });
  let n = 0;
  const place = async (to: string, extra: Record<string, unknown> = {}) => {
    const res = await h.control('/calls', { from: `1380013800${n++}`, to, profile: 'external', ...extra });
    t.equal(res.status, 201, `call to ${to} placed`);
    return (res.json as { uuid: string }).uuid;
  };
  const main = await place('12345');
  const ent = await place('123457');
  const p110 = await place('12345110', { sipHeaders: { 'X-110-Case-Id': 'C20261122-0001', 'X-110-Summary': '%E5%99%AA%E9%9F%B3' } });
  const calls = h.service.calls!;
  for (const [uuid, queue, priority, welcome] of [
    [main, 'general', 0, 'welcome-12345'],
    [ent, 'enterprise', 0, 'welcome-enterprise'],
    [p110, 'from110', 3, 'from-110'],
  ] as const) {
    const q = await eventually(`${queue} membership`, () => calls.queues.get(uuid));
    t.equal(q.queue, queue, `${uuid.slice(0, 8)} in ${queue}`);
    t.equal(q.priority, priority, `${queue} priority ${priority}`);
    t.ok(q.t0Us > 1.7e15, 't0 is a switch timestamp in microseconds');
    const rec = calls.registry.get(uuid);
    t.equal(rec?.state, 'queued');
    t.equal(rec?.queuedUs, q.t0Us, 'the call record and the queue agree on t0');
    t.ok(media.some((m) => m.startsWith(uuid) && m.includes(welcome)), `${queue}: the caller heard ${welcome}`);
  }
  t.equal(calls.registry.get(main)?.line, 'main');
  t.equal(calls.registry.get(ent)?.line, 'enterprise');
  const rec110 = calls.registry.get(p110);
  t.equal(rec110?.line, 'from110');
  t.same(rec110?.case110, { 'Case-Id': 'C20261122-0001', Summary: '噪音' }, '110 case headers in the call record, decoded');
  t.same(await calls.queues.list('general'), [main]);
  // The same number again within 24 h: the repeat-caller class, served before first-time callers.
  const again = await place('12345', { from: '13800138000' });
  t.equal((await eventually('repeat caller queued', () => calls.queues.get(again))).priority, 1, 'repeat caller within 24 h');
  t.same(await calls.queues.list('general'), [again, main], 'ahead of a first-time caller who waited longer');
  await h.control(`/calls/${again}/hangup`, {});

  // The caller leaves while queued: the call completes, leaves the queue and gets its CDR.
  await h.control(`/calls/${main}/hangup`, { cause: 'NORMAL_CLEARING' });
  const entry = await eventually('CDR in the stream', async () => {
    const entries = await h.redis.xrange(`${h.config.redis.keyPrefix}:cdr`, '-', '+');
    return entries.find(([, f]) => f[1] === main);
  });
  const cdr = JSON.parse(entry[1][3]!);
  t.equal(cdr.outcome, 'abandoned');
  t.equal(cdr.queue, 'general');
  t.same(cdr.ivrPath, ['welcome', 'route', 'queue']);
  t.same(await calls.queues.list('general'), [], 'removed from the queue');
});

t.test('an elder caller reaches the elder queue; a menu handles invalid keys and timeouts', async (t) => {
  const flows = {
    ...DEFAULT_FLOWS,
    elderNumbers: ['13900001111'],
    lines: { ...DEFAULT_FLOWS.lines, enterprise: 'menu' },
    flows: {
      ...DEFAULT_FLOWS.flows,
      menu: {
        start: 'choose',
        nodes: {
          choose: { type: 'menu', prompt: 'menu.wav', options: { '1': 'zh', '2': 'en' }, timeoutMs: 1000, maxTries: 3, invalidPrompt: 'invalid.wav', timeoutPrompt: 'timeout.wav', onFail: 'q' },
          zh: { type: 'queue', queue: 'enterprise' },
          en: { type: 'set', name: 'language', value: 'en', next: 'q_en' },
          q_en: { type: 'queue', queue: 'enterprise-en' },
          q: { type: 'queue', queue: 'general' },
        },
      },
    },
  };
  const h = await startHarness(t, { flows });
  await eventually('connected', () => h.service.calls?.nodeStatus()[0]?.connected);
  const calls = h.service.calls!;
  const elder = (await h.control('/calls', { from: '13900001111', to: '12345', profile: 'external' })).json as { uuid: string };
  const q = await eventually('elder queued', () => calls.queues.get(elder.uuid));
  t.match(q, { queue: 'elder', priority: 2 });

  // Wrong key (9), then nothing, then 2: invalid prompt, timeout prompt, English queue. Each key
  // is pressed as a prompt starts, not at fixed times: under CI load a key sent at a fixed 9 s
  // once fell after the third try had timed out (path choose -> q).
  const menu = { uuid: '' };
  const played: string[] = [];
  const early: FsEvent[] = [];
  const onPrompt = (ev: FsEvent): void => {
    const file = path.basename(ev.headers.find(([k]) => k === 'Playback-File-Path')?.[1] ?? '');
    // The flow's prompts (not play_and_get_digits' own 250 ms of silence, nor the queue's music).
    if (!file.endsWith('.wav')) return;
    played.push(file);
    const menus = played.filter((f) => f === 'menu.wav').length;
    if (file === 'menu.wav' && menus === 1) void h.control(`/calls/${menu.uuid}/dtmf`, { digits: '9' });
    if (file === 'menu.wav' && menus === 3) void h.control(`/calls/${menu.uuid}/dtmf`, { digits: '2' });
  };
  t.teardown(
    h.fsim.sw.onEvent((ev) => {
      if (ev.name !== 'PLAYBACK_START') return;
      if (!menu.uuid) early.push(ev);
      else if (ev.uuid === menu.uuid) onPrompt(ev);
    }),
  );
  menu.uuid = ((await h.control('/calls', { from: '13800000002', to: '123457', profile: 'external' })).json as { uuid: string }).uuid;
  for (const ev of early.filter((e) => e.uuid === menu.uuid)) onPrompt(ev);
  const q2 = await eventually('menu caller queued', () => calls.queues.get(menu.uuid), 15_000);
  t.equal(q2.queue, 'enterprise-en');
  t.same(calls.registry.get(menu.uuid)?.ivrPath, ['choose', 'en', 'q_en']);
  t.same(played, ['menu.wav', 'invalid.wav', 'menu.wav', 'timeout.wav', 'menu.wav'], 'invalid prompt after the wrong key, timeout prompt after silence');

  // Never presses anything: three tries, then onFail (general queue), never a dead end.
  const silent = (await h.control('/calls', { from: '13800000003', to: '123457', profile: 'external' })).json as { uuid: string };
  const q3 = await eventually('silent caller queued', () => calls.queues.get(silent.uuid), 15_000);
  t.equal(q3.queue, 'general');
});

t.test('after-hours routing by calendar', async (t) => {
  const always = { weekly: Object.fromEntries(['0', '1', '2', '3', '4', '5', '6'].map((d) => [d, [['00:00', '23:59']]])) };
  const never = { weekly: {} };
  const flowFor = (cal: string) => ({
    start: 'hours',
    nodes: {
      hours: { type: 'schedule', calendar: cal, open: 'open_q', closed: 'closed' },
      closed: { type: 'play', prompt: 'after-hours.wav', next: 'night_q' },
      open_q: { type: 'queue', queue: 'enterprise' },
      night_q: { type: 'queue', queue: 'general' },
    },
  });
  const flows = { ...DEFAULT_FLOWS, calendars: { always, never }, lines: { ...DEFAULT_FLOWS.lines, main: 'open', enterprise: 'closed' }, flows: { ...DEFAULT_FLOWS.flows, open: flowFor('always'), closed: flowFor('never') } };
  const h = await startHarness(t, { flows });
  await eventually('connected', () => h.service.calls?.nodeStatus()[0]?.connected);
  const calls = h.service.calls!;
  const inHours = (await h.control('/calls', { from: '13800000004', to: '12345', profile: 'external' })).json as { uuid: string };
  const after = (await h.control('/calls', { from: '13800000005', to: '123457', profile: 'external' })).json as { uuid: string };
  t.equal((await eventually('in hours', () => calls.queues.get(inHours.uuid))).queue, 'enterprise');
  t.equal((await eventually('after hours', () => calls.queues.get(after.uuid))).queue, 'general');
  t.same(calls.registry.get(after.uuid)?.ivrPath, ['hours', 'closed', 'night_q']);
});
