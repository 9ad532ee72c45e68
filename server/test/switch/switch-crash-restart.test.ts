// The service is killed (SIGKILL, no shutdown) with five citizens waiting: they stay in the
// switch's waiting context, their places and t0 stay in Redis, and a new instance picks them up
// and serves them in arrival order.
//
// The first instance runs as a process of its own (server.ts) so that the kill drops its ESL
// connections and outbound sockets the way a crash does; the new instance runs in this process.
import t from 'tap';
import { startServer } from '../helpers/server-process.ts';
import { switchSuite } from './helpers/suite.ts';
import type { TapEvent } from './helpers/event-tap.ts';
import { withService } from './helpers/world-service.ts';
import { sleep, until } from './helpers/world.ts';

const suite = switchSuite(t);
/** The welcome's playback ended (the line's `set hotline_welcome=...` also names the prompt). */
const welcomePlayed = (e: TapEvent): boolean => e.get('Application') === 'playback' && /welcome/.test(e.get('Application-Data') ?? '');

suite.raw('kill -9 with five callers queued: a new instance keeps them in order with their t0 and serves them in order', async (t, site) => {
  const bare = await site.bare(t, { env: { HOTLINE_ACD_WRAP_UP_SEC: '0' } });
  // server-process reads the "listening" line of the JSON log.
  const first = startServer({ ...bare.env, HOTLINE_LOG_LEVEL: 'info' });
  t.teardown(() => first.child.kill('SIGKILL'));
  await first.listening;
  const callers = [];
  for (let i = 0; i < 5; i++) {
    callers.push(await bare.call({ from: `1380000060${i}`, to: '12345' }));
    await sleep(300);
  }
  const ids = await Promise.all(callers.map((c) => c.uuid()));
  // Queued: the first instance moved every caller to the switch's waiting context.
  await until('five callers waiting in the switch', () =>
    ids.every((id) => bare.tap.of(id, 'CHANNEL_EXECUTE_COMPLETE').some(welcomePlayed)), 20_000);
  await sleep(1000);
  first.child.kill('SIGKILL');
  t.equal((await first.exited).signal, 'SIGKILL', 'the service died without a shutdown');
  await sleep(500);
  t.ok(ids.every((id) => bare.tap.of(id, 'CHANNEL_HANGUP_COMPLETE').length === 0), 'no caller was dropped');

  const w = await withService(t, bare);
  const entries = await until('the new instance sees the five', async () => {
    const list = await w.calls.queues.list('general');
    return list.length === 5 && list;
  }, 10_000);
  t.same(entries, ids, 'still queued in arrival order');
  const t0s = await Promise.all(ids.map(async (id) => (await w.calls.queues.get(id))?.t0Us));
  t.ok(t0s.every((x, i) => x !== undefined && (i === 0 || x > t0s[i - 1]!)), 'each keeps its t0, in order');
  const welcomeDone = ids.map((id) => bare.tap.of(id, 'CHANNEL_EXECUTE_COMPLETE').find(welcomePlayed)?.tsUs);
  t.same(t0s, welcomeDone, 't0 is still the end of the welcome as the switch reported it');

  await w.addAgent('1030', { general: 5 }, { answerAfterMs: 200, hangupAfterMs: 400 });
  await Promise.all(callers.map((c) => c.done));
  const offers = bare.tap.events.filter((e) => e.name === 'CHANNEL_CREATE' && e.get('variable_hotline_leg_role') === 'agent').map((e) => e.get('variable_hotline_call_id'));
  t.same(offers, ids, 'served strictly in arrival order, each once');
}, { timeout: 120_000 });
