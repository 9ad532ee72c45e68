// The agent's figures for today, with a fake clock on a real Redis: the local day (Beijing) decides
// which day a fact belongs to, answered within 15 s is inclusive, and a fact recorded twice (two
// instances seeing the same events) counts once.
import t from 'tap';
import pino from 'pino';
import { Desk } from '../src/desk/desk.ts';
import type { CallRecord, LegRecord } from '../src/calls/call-record.ts';
import { DeskStore } from '../src/store/desk-store.ts';
import { redisKeys } from '../src/store/keys.ts';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { connect, freshPrefix } from './helpers/acd-agents.ts';

const SEC = 1e6;
// 2026-11-22 23:59:00 in Beijing (15:59 UTC).
const LATE_EVENING_US = Date.UTC(2026, 10, 22, 15, 59) * 1000;

const call = (id: string, queuedUs: number): CallRecord => ({
  id, node: 'fs1', line: 'main', callerNumber: '13800000000', callerName: '', destination: '12345', state: 'talking',
  legs: [], createdUs: queuedUs - 5 * SEC, queuedUs, queue: 'general', ivrPath: [], flags: [], transfers: [], held: false, holdSeq: 0,
});
const leg = (uuid: string, answeredUs?: number): LegRecord => ({ uuid, role: 'agent', agentId: '1001', purpose: 'offer', createdUs: 0, lastSeq: 1, ...(answeredUs ? { answeredUs } : {}) });

t.test('figures per Beijing day', async (t) => {
  const { url } = await withRedis(t);
  const redis = connect(t, url);
  const clock = { ms: 0 };
  const desk = new Desk({
    store: new DeskStore(redis, redisKeys(freshPrefix())),
    agents: { get: async () => undefined, endWrapUp: async () => {}, handlingEnded: async () => undefined },
    calls: { get: () => undefined },
    timeZone: 'Asia/Shanghai',
    thresholdSec: 15,
    now: () => clock.ms,
    logger: pino({ level: 'silent' }),
  });

  // Day 1, just before midnight: answered at exactly 15.000 s (counts as within 15 s).
  const a = call('a', LATE_EVENING_US - 20 * SEC);
  desk.agentAnswered(a, leg('la'), a.queuedUs! + 15 * SEC);
  desk.agentAnswered(a, leg('la'), a.queuedUs! + 15 * SEC);
  // Day 2, after midnight: one answered late (16 s), one missed offer, one talk of 90 s.
  const b = call('b', LATE_EVENING_US + 120 * SEC);
  desk.agentAnswered(b, leg('lb'), b.queuedUs! + 16 * SEC);
  desk.agentLegEnded(b, leg('lb', b.queuedUs! + 16 * SEC), b.queuedUs! + 106 * SEC);
  const c = call('c', LATE_EVENING_US + 200 * SEC);
  desk.agentLegEnded(c, leg('lc'), c.queuedUs! + 12 * SEC);
  await desk.idle();

  clock.ms = LATE_EVENING_US / 1000;
  t.match(await desk.figures('1001'), { day: '2026-11-22', offered: 1, answered: 1, answeredIn15s: 1 }, 'day 1: exactly 15 s counts, twice-recorded counts once');
  clock.ms = LATE_EVENING_US / 1000 + 3600_000;
  t.match(await desk.figures('1001'), { day: '2026-11-23', offered: 2, answered: 1, answeredIn15s: 0, talkSec: 90 }, 'day 2 (Beijing) starts at 16:00 UTC');
});
