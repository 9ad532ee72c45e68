// Calling hours: revisit calls go out only inside configured local windows (e.g. 09:00-12:00 and
// 14:00-20:00 Asia/Shanghai). Pure: a time in, the first allowed time at or after it out.
//
// Minutes of the day are read with Intl in the configured zone. Across a DST change (not in
// China) the next day's slot can be off by the change; the result is still inside a window
// because it is checked again when the task comes due.

export interface CallingWindow {
  /** Minutes after local midnight, inclusive. */
  readonly startMin: number;
  /** Minutes after local midnight, exclusive (1440 = midnight). */
  readonly endMin: number;
}

export interface CallingHours {
  readonly timeZone: string;
  readonly windows: readonly CallingWindow[];
}

const WINDOW_RE = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/;

/** "09:00-12:00" -> minutes; throws on a malformed, empty or overlapping list. */
export function parseWindows(specs: readonly string[]): CallingWindow[] {
  if (!specs.length) throw new Error('calling hours: at least one window, e.g. "09:00-12:00"');
  const out = specs.map((s) => {
    const m = WINDOW_RE.exec(s);
    if (!m) throw new Error(`calling hours: "${s}" is not HH:MM-HH:MM`);
    const startMin = Number(m[1]) * 60 + Number(m[2]);
    const endMin = Number(m[3]) * 60 + Number(m[4]);
    if (endMin > 1440 || endMin <= startMin) throw new Error(`calling hours: "${s}" ends before it starts`);
    return { startMin, endMin };
  });
  out.sort((a, b) => a.startMin - b.startMin);
  for (let i = 1; i < out.length; i++) if (out[i]!.startMin < out[i - 1]!.endMin) throw new Error('calling hours: windows overlap');
  return out;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function formatOf(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formats.set(timeZone, f);
  }
  return f;
}

/** Milliseconds since local midnight in the zone. */
export function localMsOfDay(ms: number, timeZone: string): number {
  const parts = formatOf(timeZone).formatToParts(new Date(ms));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return ((get('hour') * 60 + get('minute')) * 60 + get('second')) * 1000 + (((ms % 1000) + 1000) % 1000);
}

export function withinHours(ms: number, hours: CallingHours): boolean {
  const min = localMsOfDay(ms, hours.timeZone) / 60_000;
  return hours.windows.some((w) => min >= w.startMin && min < w.endMin);
}

/** The first moment at or after `ms` inside a window. */
export function nextSlot(ms: number, hours: CallingHours): number {
  const of = localMsOfDay(ms, hours.timeZone);
  for (const w of hours.windows) {
    const start = w.startMin * 60_000;
    const end = w.endMin * 60_000;
    if (of < start) return ms + (start - of);
    if (of < end) return ms;
  }
  // Past the last window: the first window of the next local day.
  const first = hours.windows[0]!;
  return ms + (86_400_000 - of) + first.startMin * 60_000;
}
