// The screen pop's 15-second answer countdown and the wrap-up clock.
import t from 'tap';
import { answerCountdown, wrapUpRemainingSec } from '../src/state/countdown.ts';

const T0 = 1_700_000_000_000;

t.test('counts down from the target, measured from when the caller began waiting', async (t) => {
  const fresh = answerCountdown(T0, 15, T0);
  t.equal(fresh.displaySec, 15);
  t.equal(fresh.waitedSec, 0);
  t.equal(fresh.urgency, 'ok');
  // Time already spent queued counts: a call that waited 8 s pops with 7 s left.
  const queued = answerCountdown(T0, 15, T0 + 8_000);
  t.equal(queued.displaySec, 7);
  t.equal(queued.waitedSec, 8);
  t.equal(queued.urgency, 'ok');
  // Ceil while counting down: 14.2 s left shows 15 until a whole second has gone.
  t.equal(answerCountdown(T0, 15, T0 + 800).displaySec, 15);
});

t.test('turns urgent under 5 seconds and overdue past the target', async (t) => {
  t.equal(answerCountdown(T0, 15, T0 + 10_000).urgency, 'ok', 'exactly 5 s left is not yet urgent');
  const urgent = answerCountdown(T0, 15, T0 + 10_500);
  t.equal(urgent.urgency, 'urgent');
  t.equal(urgent.displaySec, 5);
  const last = answerCountdown(T0, 15, T0 + 14_999);
  t.equal(last.urgency, 'urgent');
  t.equal(last.displaySec, 1);
  t.equal(answerCountdown(T0, 15, T0 + 15_000).urgency, 'urgent', 'at the target, not yet overdue');
  const over = answerCountdown(T0, 15, T0 + 18_400);
  t.equal(over.urgency, 'overdue');
  t.ok(over.remainingSec < 0);
  t.equal(over.displaySec, 4, 'overdue counts up in whole seconds, started ones included');
  t.equal(answerCountdown(T0, 15, T0 + 15_100).displaySec, 1, 'never overdue by 0');
  t.equal(over.waitedSec, 18);
});

t.test('a clock slightly behind the server never shows a negative wait', async (t) => {
  const early = answerCountdown(T0, 15, T0 - 2_000);
  t.equal(early.waitedSec, 0);
  t.equal(early.displaySec, 15);
});

t.test('wrap-up remaining seconds', async (t) => {
  t.equal(wrapUpRemainingSec(undefined, T0), undefined);
  t.equal(wrapUpRemainingSec(T0 + 30_000, T0), 30);
  t.equal(wrapUpRemainingSec(T0 + 29_100, T0), 30, 'rounded up');
  t.equal(wrapUpRemainingSec(T0 - 1_000, T0), 0, 'never negative');
});
