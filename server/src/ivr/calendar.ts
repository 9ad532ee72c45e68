// Open hours by calendar: weekly hours, public holidays (closed) and adjusted working days (调休,
// open although on a weekend). Evaluated in the calendar's own time zone, whatever the host's is.
import type { Calendar } from './flow-schema.ts';

interface LocalTime {
  date: string;
  weekday: number;
  minutes: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export function localTime(atMs: number, timeZone: string): LocalTime {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(atMs));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    weekday: WEEKDAYS[get('weekday')] ?? 0,
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function within(intervals: readonly (readonly [string, string])[], minutes: number): boolean {
  return intervals.some(([from, to]) => minutes >= toMinutes(from) && minutes < toMinutes(to));
}

export function isOpen(calendar: Calendar, atMs: number): boolean {
  const t = localTime(atMs, calendar.timeZone);
  if (calendar.holidays.includes(t.date)) return false;
  if (calendar.workdays.includes(t.date)) return within(calendar.workdayHours, t.minutes);
  const key = String(t.weekday) as keyof Calendar['weekly'];
  return within(calendar.weekly[key] ?? [], t.minutes);
}
