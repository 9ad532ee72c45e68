// Revisit rules, pure and with a fake clock: calling hours and the next slot (Asia/Shanghai,
// 09:00-12:00 and 14:00-20:00), retry rules per outcome, and the tasks rules make from wrap-ups
// and CDRs.
import t from 'tap';
import { localMsOfDay, nextSlot, parseWindows, withinHours, type CallingHours } from '../src/revisit/calling-hours.ts';
import { afterOutcome } from '../src/revisit/retry.ts';
import { SURVEY_FIELD, taskFromCdr, taskFromWrapUp } from '../src/revisit/rules.ts';
import { maskNumber } from '../src/revisit/task.ts';

const HOURS: CallingHours = { timeZone: 'Asia/Shanghai', windows: parseWindows(['14:00-20:00', '09:00-12:00']) };
/** A Shanghai wall-clock time (UTC+8, no DST) as epoch ms. */
const sh = (iso: string): number => Date.parse(`${iso}+08:00`);
const MIN = 60_000;

t.test('calling hours: parsing', async (t) => {
  t.same(HOURS.windows, [{ startMin: 540, endMin: 720 }, { startMin: 840, endMin: 1200 }], 'sorted, in minutes');
  t.throws(() => parseWindows([]), /at least one/);
  t.throws(() => parseWindows(['9:00-12:00']), /HH:MM-HH:MM/);
  t.throws(() => parseWindows(['12:00-09:00']), /ends before/);
  t.throws(() => parseWindows(['09:00-12:00', '11:00-13:00']), /overlap/);
  t.same(parseWindows(['00:00-24:00']), [{ startMin: 0, endMin: 1440 }], 'all day');
});

t.test('calling hours: inside, outside, and the next slot', async (t) => {
  t.equal(localMsOfDay(sh('2026-12-07T09:30:15.250'), 'Asia/Shanghai'), ((9 * 60 + 30) * 60 + 15) * 1000 + 250);
  t.ok(withinHours(sh('2026-12-07T09:00:00'), HOURS), '09:00 opens');
  t.notOk(withinHours(sh('2026-12-07T12:00:00'), HOURS), '12:00 closes (exclusive)');
  t.notOk(withinHours(sh('2026-12-07T13:59:59'), HOURS), 'lunch');
  t.ok(withinHours(sh('2026-12-07T19:59:59'), HOURS));
  t.notOk(withinHours(sh('2026-12-07T20:00:00'), HOURS), 'evening');
  t.notOk(withinHours(sh('2026-12-07T03:00:00'), HOURS), 'night');

  const inside = sh('2026-12-07T10:17:03');
  t.equal(nextSlot(inside, HOURS), inside, 'inside a window: now');
  t.equal(nextSlot(sh('2026-12-07T06:45:10'), HOURS), sh('2026-12-07T09:00:00'), 'early morning: 09:00 the same day');
  t.equal(nextSlot(sh('2026-12-07T12:00:00'), HOURS), sh('2026-12-07T14:00:00'), 'noon: 14:00');
  t.equal(nextSlot(sh('2026-12-07T13:10:00.500'), HOURS), sh('2026-12-07T14:00:00'), 'lunch: 14:00 exactly');
  t.equal(nextSlot(sh('2026-12-07T20:00:00'), HOURS), sh('2026-12-08T09:00:00'), 'evening: 09:00 the next day');
  t.equal(nextSlot(sh('2026-12-07T23:59:59.999'), HOURS), sh('2026-12-08T09:00:00'), 'just before midnight');
  t.equal(nextSlot(sh('2026-12-31T21:00:00'), HOURS), sh('2027-01-01T09:00:00'), 'across a year end');
  // The UTC day differs from the Shanghai day here: 2026-12-07T17:30Z is 01:30 on the 8th in Shanghai.
  t.equal(nextSlot(Date.parse('2026-12-07T17:30:00Z'), HOURS), sh('2026-12-08T09:00:00'), 'the local day counts, not UTC');
  const allDay: CallingHours = { timeZone: 'Asia/Shanghai', windows: parseWindows(['00:00-24:00']) };
  t.equal(nextSlot(sh('2026-12-07T23:59:00'), allDay), sh('2026-12-07T23:59:00'), 'all-day hours never wait');
});

t.test('retry rules', async (t) => {
  const rules = { retryAfterMin: 30, maxAttempts: 3 };
  const deadline = sh('2026-12-10T20:00:00');
  const at = sh('2026-12-07T10:00:00');
  t.same(afterOutcome({ attempts: 1, deadlineMs: deadline }, 'not-reached', at, rules, HOURS), { state: 'pending', dueMs: at + 30 * MIN }, 'not reached: again in 30 minutes');
  t.same(afterOutcome({ attempts: 1, deadlineMs: deadline }, 'not-reached', sh('2026-12-07T11:45:00'), rules, HOURS), { state: 'pending', dueMs: sh('2026-12-07T14:00:00') }, 'a retry falling in lunch moves to 14:00');
  t.same(afterOutcome({ attempts: 2, deadlineMs: deadline }, 'not-reached', sh('2026-12-07T19:50:00'), rules, HOURS), { state: 'pending', dueMs: sh('2026-12-08T09:00:00') }, 'in the evening: the next morning');
  t.same(afterOutcome({ attempts: 3, deadlineMs: deadline }, 'not-reached', at, rules, HOURS), { state: 'failed' }, 'the third attempt was the last');
  t.same(afterOutcome({ attempts: 1, deadlineMs: at + 10 * MIN }, 'not-reached', at, rules, HOURS), { state: 'failed' }, 'a retry past the due window fails the task');
  for (const o of ['resolved', 'not-resolved', 'refused'] as const) t.same(afterOutcome({ attempts: 1, deadlineMs: deadline }, o, at, rules, HOURS), { state: 'done' }, `${o} closes the task`);
});

t.test('rules from wrap-ups and CDRs', async (t) => {
  t.same(taskFromWrapUp({ callId: 'c1', category: 'complaint', summary: '噪音扰民', ticketRef: 'T-9', callerNumber: '13800000001' }), { number: '13800000001', reason: 'complaint', summary: '噪音扰民', callId: 'c1', ticketId: 'T-9' }, 'every complaint');
  t.equal(taskFromWrapUp({ callId: 'c1', category: 'consultation', summary: 'x', callerNumber: '13800000001' }), undefined, 'a consultation is not revisited');
  t.equal(taskFromWrapUp({ callId: 'c1', category: 'complaint', summary: 'x', callerNumber: 'anonymous' }), undefined, 'no number to call');
  t.equal(taskFromWrapUp({ callId: 'c1', category: 'complaint', summary: 'x' }), undefined);

  const cdr = { callId: 'c2', callerNumber: '13900000002', outcome: 'answered' };
  t.match(taskFromCdr({ ...cdr, [SURVEY_FIELD]: 'not-satisfied' }), { number: '13900000002', reason: 'unsatisfied', callId: 'c2' }, 'every unsatisfied rating');
  t.match(taskFromCdr({ ...cdr, [SURVEY_FIELD]: { rating: 'not-satisfied', digit: '3' } }), { reason: 'unsatisfied' }, 'the rating as a record');
  for (const r of ['satisfied', 'basically-satisfied', 'not-rated', undefined, null]) t.equal(taskFromCdr({ ...cdr, [SURVEY_FIELD]: r }), undefined, `${String(r)}: no revisit`);
  t.equal(taskFromCdr({ ...cdr, callerNumber: '', [SURVEY_FIELD]: 'not-satisfied' }), undefined, 'no number');
});

t.test('masking', async (t) => {
  t.equal(maskNumber('13812345678'), '138****5678');
  t.equal(maskNumber('12345'), '1***45');
});
