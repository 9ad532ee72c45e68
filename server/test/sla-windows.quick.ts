// The SLA windows on the Beijing clock (UTC+8): 15-minute intervals, calendar days, rolling 24 h.
import t from 'tap';
import { DAY_MS, dayIntervalStarts, dayStart, inRolling, intervalStart, localDate } from '../src/sla/windows.ts';

const bj = (local: string): number => Date.parse(`${local}+08:00`);

t.test('15-minute intervals start at :00, :15, :30 and :45 Beijing time, [start, start + 15 min)', async (t) => {
  t.equal(intervalStart(bj('2026-11-22T10:14:59.999')), bj('2026-11-22T10:00:00'));
  t.equal(intervalStart(bj('2026-11-22T10:15:00.000')), bj('2026-11-22T10:15:00'));
  t.equal(intervalStart(bj('2026-11-22T10:44:07.123')), bj('2026-11-22T10:30:00'));
  t.equal(intervalStart(bj('2026-11-23T00:00:00.000')), bj('2026-11-23T00:00:00'));
  // A half-hour zone shows the offset is really applied (and not just lucky UTC alignment).
  t.equal(intervalStart(Date.parse('2026-11-22T10:20:00+05:30'), 5.5 * 3_600_000), Date.parse('2026-11-22T10:15:00+05:30'));
});

t.test('days are Beijing calendar days: 23:59:59.999 is still the day, 00:00:00.000 the next', async (t) => {
  const last = bj('2026-11-22T23:59:59.999');
  const next = bj('2026-11-23T00:00:00.000');
  t.equal(dayStart(last), bj('2026-11-22T00:00:00'));
  t.equal(dayStart(next), bj('2026-11-23T00:00:00'));
  t.equal(localDate(last), '2026-11-22');
  t.equal(localDate(next), '2026-11-23');
  t.equal(new Date(dayStart(last)).toISOString(), '2026-11-21T16:00:00.000Z', 'a Beijing day starts at 16:00 UTC the day before');
  t.equal(localDate(Date.parse('2026-11-22T17:00:00Z')), '2026-11-23', '01:00 Beijing is already the 23rd');
});

t.test('a day has 96 intervals; today lists them up to the one holding `at`', async (t) => {
  const day = bj('2026-11-22T00:00:00');
  const all = dayIntervalStarts(day);
  t.equal(all.length, 96);
  t.equal(all[95], bj('2026-11-22T23:45:00'));
  t.same(dayIntervalStarts(day, bj('2026-11-22T00:29:59.999')), [day, bj('2026-11-22T00:15:00')]);
  t.equal(dayIntervalStarts(day, day + DAY_MS + 5).length, 96, 'never past the day');
});

t.test('rolling 24 h: (at - 24 h, at], to the microsecond', async (t) => {
  const atUs = bj('2026-11-22T10:00:00') * 1000;
  const dayUs = DAY_MS * 1000;
  t.notOk(inRolling(atUs - dayUs, atUs), 'exactly 24 h before: out');
  t.ok(inRolling(atUs - dayUs + 1, atUs), '1 µs inside');
  t.ok(inRolling(atUs, atUs), 'at itself: in');
  t.notOk(inRolling(atUs + 1, atUs), 'after at: out');
});

t.test('a shorter rolling window (sla.rollingWindowSec, the demo): the same bounds', async (t) => {
  const atUs = bj('2026-11-22T10:00:00') * 1000;
  const windowMs = 180_000;
  t.notOk(inRolling(atUs - windowMs * 1000, atUs, windowMs), 'exactly 3 min before: out');
  t.ok(inRolling(atUs - windowMs * 1000 + 1, atUs, windowMs), '1 µs inside');
  t.notOk(inRolling(atUs - 3_600_000_000, atUs, windowMs), 'an hour before: out (in the 24 h default)');
  t.ok(inRolling(atUs - 3_600_000_000, atUs), 'the default window still holds it');
});
