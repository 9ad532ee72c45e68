// Run-time global variables and scheduled api commands (global_setvar, global_getvar, sched_api,
// sched_del) and the dialplan's `event` application, with the replies FreeSWITCH 1.10.12 gives
// (checked by hand on the bundle, 2026-12-07): the service leases its intake mode with them and
// the dialplan's intake fires hotline::intake (server/src/freeswitch/intake-mode.ts, public.xml).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { Switch } from '../src/core/switch.ts';
import { VirtualClock } from '../src/core/clock.ts';
import { loadDialplan } from '../src/dialplan/index.ts';
import type { FsEvent } from '../src/types.ts';
import { hv } from './helpers/switch-run.ts';

const DIALPLAN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/dialplan/intake.xml');

function mkWorld() {
  const clock = new VirtualClock();
  const dp = loadDialplan({ files: [DIALPLAN] });
  const sw = new Switch({
    clock, router: (i) => dp.hunt(i), expand: (s, v) => dp.expand(s, v), config: { heartbeatSec: 0 },
    globals: { get: (n) => dp.globals.get(n), set: (n, v) => dp.setGlobal(n, v) },
  });
  const events: FsEvent[] = [];
  sw.onEvent((e) => events.push(e));
  const run = async (ms: number) => {
    for (let x = 0; x < ms; x += 20) await clock.sleep(20);
  };
  return { sw, dp, events, run, api: (cmd: string, args: string) => sw.api(cmd, args) };
}

t.test('global_setvar / global_getvar answer as FreeSWITCH does, and ${var} in the dialplan sees the new value', async (t) => {
  const w = mkWorld();
  t.teardown(() => w.sw.close());
  t.equal(await w.api('global_getvar', 'hotline_intake'), 'socket', "vars.xml's value first (no line feed)");
  const first = w.sw.placeCall({ from: '5550001', to: '12345' });
  await w.run(200);
  t.equal(w.sw.channels.get(first)?.vars.get('went'), 'socket', 'routed by the preprocessed value');
  t.equal(await w.api('global_setvar', 'hotline_intake=dialplan'), '+OK', '"+OK" without a line feed');
  t.equal(await w.api('global_getvar', 'hotline_intake'), 'dialplan');
  const second = w.sw.placeCall({ from: '5550002', to: '12345' });
  await w.run(200);
  t.equal(w.sw.channels.get(second)?.vars.get('hotline_line'), 'main', 'the next call takes the other extension');
  t.equal(await w.api('global_getvar', 'no_such_var'), '', 'an unknown name: empty');
});

t.test('sched_api runs its command later; sched_del by group removes it, counting what it removed', async (t) => {
  const w = mkWorld();
  t.teardown(() => w.sw.close());
  t.equal(await w.api('sched_del', 'lease'), '+OK Deleted: 0\n', 'nothing to delete');
  t.match(await w.api('sched_api', '+2 lease global_setvar hotline_intake=dialplan'), /^\+OK Added: \d+\n$/);
  t.equal(await w.api('sched_del', 'lease'), '+OK Deleted: 1\n');
  await w.run(3000);
  t.equal(await w.api('global_getvar', 'hotline_intake'), 'socket', 'the deleted task never ran');
  await w.api('sched_api', '+2 lease global_setvar hotline_intake=dialplan');
  await w.run(1500);
  t.equal(await w.api('global_getvar', 'hotline_intake'), 'socket', 'not before its time');
  await w.run(1000);
  t.equal(await w.api('global_getvar', 'hotline_intake'), 'dialplan', 'run at its time');
  t.equal(await w.api('sched_del', 'lease'), '+OK Deleted: 0\n', 'a task that ran is gone');
});

t.test('the event application: CUSTOM with its subclass and headers, then the channel data with variables', async (t) => {
  const w = mkWorld();
  t.teardown(() => w.sw.close());
  await w.api('global_setvar', 'hotline_intake=dialplan');
  const uuid = w.sw.placeCall({ from: '5550003', to: '12345' });
  await w.run(200);
  const ev = w.events.find((e) => e.name === 'CUSTOM' && e.uuid === uuid);
  if (!ev) return void t.fail('no CUSTOM event');
  t.equal(ev.subclass, 'hotline::intake');
  t.equal(hv(ev, 'Event-Subclass'), 'hotline::intake');
  t.equal(hv(ev, 'Intake-By'), 'dialplan', 'a header of the arguments');
  t.equal(hv(ev, 'Unique-ID'), uuid);
  t.equal(hv(ev, 'Caller-Destination-Number'), '12345');
  t.equal(hv(ev, 'variable_hotline_line'), 'main', "the channel's variables");
});
