// The wallboard's derived figures: waiting callers and the longest wait per queue, agents by state
// and reason (a queue's by its skill), the forecast's need now; and the /ops snapshot-then-deltas
// state, a reconnect's snapshot replacing everything held.
import t from 'tap';
import type { AgentView, CallView } from '../../server/src/realtime/events.ts';
import type { BoardView } from '../../server/src/realtime/ops-events.ts';
import { belowTarget, boardModel, countAgents, mmss, pct } from '../src/console/board-model.ts';
import { applyOps, emptyOpsState } from '../src/console/ops-connection.ts';
import { consoleEn, consoleZh } from '../src/console/messages.ts';

const NOW = Date.parse('2026-12-07T10:07:00+08:00');
const agent = (id: string, state: AgentView['state'], skills: Record<string, number>, reason?: string): AgentView => ({ id, name: id, state, since: NOW - 1000, skills, ...(reason ? { reason } : {}) });
const call = (id: string, queue: string, state: CallView['state'], queuedMs: number): CallView =>
  ({ id, line: 'main', state, callerNumber: '13800000000', callerName: '', destination: '12345', createdMs: queuedMs - 5000, queuedMs, queue, held: false, legs: [], ivrPath: [], flags: [] }) as CallView;

t.test('per queue and center-wide', async (t) => {
  const agents = new Map(
    [agent('1', 'ready', { general: 5 }), agent('2', 'on-call', { general: 5 }), agent('3', 'reserved', { elder: 3 }), agent('4', 'not-ready', { general: 5, elder: 5 }, 'break'), agent('5', 'not-ready', { general: 1 }, 'ring-no-answer'), agent('6', 'logged-out', { general: 5 }), agent('7', 'wrap-up', { elder: 2 })].map((a) => [a.id, a]),
  );
  const calls = new Map([call('a', 'general', 'queued', NOW - 42_000), call('b', 'general', 'queued', NOW - 7_000), call('c', 'elder', 'queued', NOW - 3_000), call('d', 'general', 'talking', NOW - 90_000)].map((c) => [c.id, c]));
  const start = Date.parse('2026-12-07T10:00:00+08:00');
  const board = { queueSkills: { general: 'general', elder: 'elder' }, scopes: [], forecast: { ok: true, date: '2026-12-07', model: 'erlang-c', ahtSec: 180, ahtSource: 'default', patienceSec: null, intervals: [{ start, offered: 100, agents: 28, scheduled: 40 }, { start: start + 900_000, offered: 90, agents: 26, scheduled: 38 }] } } as unknown as BoardView;
  const m = boardModel(calls, agents, board, NOW);
  t.match(m.center, { waiting: 3, longestWaitSec: 42, agents: { loggedIn: 6, ready: 1, onCall: 2, wrapUp: 1, notReady: 2, notReadyByReason: { break: 1, 'ring-no-answer': 1 } } });
  t.match(m.queues.find((q) => q.queue === 'general'), { waiting: 2, longestWaitSec: 42, agents: { ready: 1, onCall: 1, notReady: 2, loggedIn: 4 } }, 'the talking call is not waiting');
  t.match(m.queues.find((q) => q.queue === 'elder'), { waiting: 1, longestWaitSec: 3, agents: { onCall: 1, wrapUp: 1, notReady: 1 } });
  t.same(m.need, { now: 28, next: [{ start: start + 900_000, agents: 26 }] }, 'the interval holding now, then the next ones');
  t.same(countAgents([]).loggedIn, 0);
});

t.test('formatting and the target colour', async (t) => {
  t.equal(pct(0.9499), '94.9%', 'rounded down: 94.99 % must not read as 95 %');
  t.equal(pct(null), '—');
  t.equal(mmss(75.4), '1:15');
  t.ok(belowTarget(0.94, 0.95));
  t.notOk(belowTarget(null, 0.95), 'no counted calls: not coloured');
  t.same(Object.keys(consoleEn).sort(), Object.keys(consoleZh).sort(), 'both languages carry every console message');
});

t.test('snapshot, deltas, and a reconnect snapshot replacing everything', async (t) => {
  const s = emptyOpsState();
  applyOps(s, 'snapshot', { seq: 5, calls: [call('a', 'general', 'queued', NOW)], agents: [agent('1', 'ready', {})], queues: [], sla: null, board: null });
  applyOps(s, 'call:update', { seq: 6, call: call('b', 'general', 'queued', NOW) });
  applyOps(s, 'call:removed', { seq: 7, callId: 'a' });
  applyOps(s, 'agent:state', { seq: 8, agent: agent('1', 'on-call', {}) });
  t.same([...s.calls.keys()], ['b']);
  t.equal(s.agents.get('1')?.state, 'on-call');
  applyOps(s, 'snapshot', { seq: 1, calls: [], agents: [], queues: [], sla: null, board: null });
  t.equal(s.calls.size + s.agents.size, 0, 'the new connection starts from its own snapshot');
  t.equal(s.snapshots, 2);
});
