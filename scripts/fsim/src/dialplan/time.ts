// Time-of-day conditions, after switch_xml_std_datetime_check (switch_xml.c, 1.10).
// Attributes: date-time, year, yday, mon, mday, week, wday, hour, minute, minute-of-day, time-of-day.
// Not supported (a condition using them fails to load): mweek, tz (named time zones).

import type { XmlElement } from './xml.ts';

export const TIME_ATTRS = ['date-time', 'year', 'yday', 'mon', 'mday', 'week', 'mweek', 'wday', 'hour', 'minute', 'minute-of-day', 'time-of-day', 'tz'] as const;
export const UNSUPPORTED_TIME_ATTRS = ['mweek', 'tz'] as const;

const DOW = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Local broken-down time at UTC offset `offsetMin` minutes. */
interface Tm {
  year: number;
  mon: number; // 1-12
  mday: number;
  wday: number; // 1 = Sunday .. 7 = Saturday (FreeSWITCH's numbering)
  yday: number; // 1-based
  hour: number;
  min: number;
  sec: number;
  epochSec: number; // the wall-clock time read as if it were UTC (for date-time comparisons)
}

function breakDown(epochMs: number, offsetMin: number): Tm {
  const d = new Date(epochMs + offsetMin * 60_000);
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return {
    year: d.getUTCFullYear(),
    mon: d.getUTCMonth() + 1,
    mday: d.getUTCDate(),
    wday: d.getUTCDay() + 1,
    yday: Math.floor((d.getTime() - start) / 86_400_000) + 1,
    hour: d.getUTCHours(),
    min: d.getUTCMinutes(),
    sec: d.getUTCSeconds(),
    epochSec: Math.floor(d.getTime() / 1000),
  };
}

/** switch_number_cmp: "1,3-5,9" */
function numberCmp(spec: string, n: number): boolean {
  for (const part of spec.split(',')) {
    const m = /^\s*(-?\d+)\s*(?:-\s*(-?\d+)\s*)?$/.exec(part);
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    if (n >= a && n <= b) return true;
  }
  return false;
}

function dowValue(s: string): number | undefined {
  const t = s.trim().toLowerCase();
  if (/^\d+$/.test(t)) return Number(t);
  const i = DOW.indexOf(t.slice(0, 3));
  return i >= 0 ? i + 1 : undefined;
}

/** switch_dow_cmp: "mon-fri", "1-7", "sat,sun"; ranges may wrap (fri-mon). */
function dowCmp(spec: string, wday: number): boolean {
  for (const part of spec.split(',')) {
    const [a, b] = part.split('-');
    const from = a !== undefined ? dowValue(a) : undefined;
    const to = b !== undefined ? dowValue(b) : from;
    if (from === undefined || to === undefined) continue;
    if (from <= to ? wday >= from && wday <= to : wday >= from || wday <= to) return true;
  }
  return false;
}

function todSeconds(s: string): number | undefined {
  const m = /^\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?\s*$/.exec(s);
  if (!m) return undefined;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
}

/** switch_tod_cmp: "08:00-17:30,19:00:00-20:00:00"; a range whose end is before its start wraps midnight. */
function todCmp(spec: string, secOfDay: number): boolean {
  for (const part of spec.split(',')) {
    const [a, b] = part.split('-');
    const from = a !== undefined ? todSeconds(a) : undefined;
    const to = b !== undefined ? todSeconds(b) : undefined;
    if (from === undefined || to === undefined) continue;
    if (from <= to ? secOfDay >= from && secOfDay <= to : secOfDay >= from || secOfDay <= to) return true;
  }
  return false;
}

function parseDateTime(s: string): number | undefined {
  const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:\s+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?\s*$/.exec(s);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)) / 1000;
}

/** switch_fulldate_cmp: "2026-10-01 00:00:00~2026-10-07 23:59:59", comma-separated. */
function fulldateCmp(spec: string, wallSec: number): boolean {
  for (const part of spec.split(',')) {
    const [a, b] = part.split('~');
    const from = a !== undefined ? parseDateTime(a) : undefined;
    const to = b !== undefined ? parseDateTime(b) : undefined;
    if (from === undefined || to === undefined) continue;
    if (wallSec >= from && wallSec <= to) return true;
  }
  return false;
}

/**
 * -1: the element has no time attribute; 1: every time attribute matches; 0: one does not.
 * `offsetMin` is the local time's offset from UTC in minutes.
 */
export function datetimeCheck(el: XmlElement, epochMs: number, offsetMin: number): -1 | 0 | 1 {
  const a = (k: string): string | undefined => el.attrs.get(k);
  const has = TIME_ATTRS.some((k) => el.attrs.has(k));
  if (!has) return -1;
  const tm = breakDown(epochMs, offsetMin);
  const checks: Array<[string, (v: string) => boolean]> = [
    ['date-time', (v) => fulldateCmp(v, tm.epochSec)],
    ['year', (v) => numberCmp(v, tm.year)],
    ['yday', (v) => numberCmp(v, tm.yday)],
    ['mon', (v) => numberCmp(v, tm.mon)],
    ['mday', (v) => numberCmp(v, tm.mday)],
    ['week', (v) => numberCmp(v, Math.floor((tm.yday - 1) / 7) + 1)],
    ['wday', (v) => dowCmp(v, tm.wday)],
    ['hour', (v) => numberCmp(v, tm.hour)],
    ['minute', (v) => numberCmp(v, tm.min)],
    // FreeSWITCH counts minute-of-day from 1 (00:00 is minute 1).
    ['minute-of-day', (v) => numberCmp(v, tm.hour * 60 + tm.min + 1)],
    ['time-of-day', (v) => todCmp(v, tm.hour * 3600 + tm.min * 60 + tm.sec)],
  ];
  for (const [k, f] of checks) {
    const v = a(k);
    if (v !== undefined && !f(v)) return 0;
  }
  return 1;
}
