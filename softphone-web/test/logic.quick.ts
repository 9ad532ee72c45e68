// Small pure helpers: state-bar actions, reconnect backoff, duration formatting.
import t from 'tap';
import { allowedActions, notReadyCommands, readyCommands } from '../src/state/actions.ts';
import { backoffMs } from '../src/state/backoff.ts';
import { formatDuration, formatPercent } from '../src/state/format.ts';

t.test('state-bar actions follow the server state machine', async (t) => {
  t.same(readyCommands('logged-out'), [{ action: 'login' }], 'ready from logged-out is a login');
  t.same(readyCommands('not-ready'), [{ action: 'ready' }]);
  t.same(notReadyCommands('logged-out', 'meal'), [{ action: 'login' }, { action: 'not-ready', reason: 'meal' }]);
  t.same(notReadyCommands('wrap-up', 'break'), [{ action: 'not-ready', reason: 'break' }]);
  t.equal(allowedActions('on-call').signOut, false);
  t.equal(allowedActions('reserved').logout, false);
  t.equal(allowedActions('ready').ready, false, 'already ready');
  t.equal(allowedActions('wrap-up').extendWrapUp, true);
  t.equal(allowedActions('wrap-up').ready, false, 'wrap-up ends by submitting the work order');
});

t.test('backoff grows, caps and is never immediate', async (t) => {
  t.equal(backoffMs(0, () => 0), 250);
  t.equal(backoffMs(0, () => 1), 500);
  t.equal(backoffMs(3, () => 1), 4000);
  t.equal(backoffMs(30, () => 1), 15_000);
  t.equal(backoffMs(30, () => 0), 7_500);
});

t.test('durations and percentages', async (t) => {
  t.equal(formatDuration(0), '0:00');
  t.equal(formatDuration(65.9), '1:05');
  t.equal(formatDuration(3725), '1:02:05');
  t.equal(formatDuration(-3), '0:00');
  t.equal(formatPercent(9, 10), '90%');
  t.equal(formatPercent(0, 0), '–');
});
