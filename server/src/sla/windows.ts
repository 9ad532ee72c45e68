// The three SLA windows on the Beijing clock. The centers are in China (Asia/Shanghai, UTC+8, no
// daylight saving since 1991), so a fixed offset is exact and needs no time-zone database.
// Every window holds a call by its t0 (the moment it was offered to the human queue).
//   interval: [start, start + 15 min), aligned to :00/:15/:30/:45 Beijing time;
//   day:      [00:00, next 00:00) Beijing calendar day;
//   rolling:  (at - 24 h, at]  - exactly 24 hours of t0s ending at `at` inclusive (configurable
//             shorter: sla.rollingWindowSec).

export const INTERVAL_MS = 15 * 60_000;
export const DAY_MS = 86_400_000;
export const ROLLING_MS = DAY_MS;
/** Asia/Shanghai is UTC+8 all year. */
export const BEIJING_OFFSET_MS = 8 * 3_600_000;

const floorTo = (value: number, step: number): number => Math.floor(value / step) * step;

/** Start (epoch ms) of the 15-minute interval holding `ms`. */
export function intervalStart(ms: number, offsetMs = BEIJING_OFFSET_MS): number {
  // Shift into local time, cut, shift back: the same code stays right for a :30 or :45 offset.
  return floorTo(ms + offsetMs, INTERVAL_MS) - offsetMs;
}

/** Start (epoch ms) of the Beijing calendar day holding `ms`. */
export function dayStart(ms: number, offsetMs = BEIJING_OFFSET_MS): number {
  return floorTo(ms + offsetMs, DAY_MS) - offsetMs;
}

/** The Beijing calendar date of `ms`, as YYYY-MM-DD. */
export function localDate(ms: number, offsetMs = BEIJING_OFFSET_MS): string {
  return new Date(dayStart(ms, offsetMs) + offsetMs).toISOString().slice(0, 10);
}

/** Starts of the day's intervals up to and including the one holding `untilMs` (96 for a whole day). */
export function dayIntervalStarts(dayStartMs: number, untilMs = dayStartMs + DAY_MS - 1): number[] {
  const starts: number[] = [];
  for (let s = dayStartMs; s < dayStartMs + DAY_MS && s <= untilMs; s += INTERVAL_MS) starts.push(s);
  return starts;
}

/** Is a t0 (µs) inside the rolling window ending at `atUs`? Lower bound exclusive, upper inclusive. */
export function inRolling(t0Us: number, atUs: number, rollingMs = ROLLING_MS): boolean {
  return t0Us > atUs - rollingMs * 1000 && t0Us <= atUs;
}
