// Case-insensitive header lookup on an event (switch_event_get_header), shared by the switch core
// and the ESL layer. Every listener of every event asks for a header or two (Unique-ID above all),
// but only a few names per event: the answers are remembered per event and name, and a name not
// asked yet is found by a scan that lower-cases only the headers of the same length. (Indexing all
// ~180 headers of every event on its first lookup, lower-casing each, was 15 % of the simulator's
// CPU and much of its garbage at 100 calls/s.) Events are not changed after they are fired.
import type { FsEvent } from './types.ts';

const asked = new WeakMap<FsEvent, Map<string, string | undefined>>();

function scan(ev: FsEvent, lower: string): string | undefined {
  const n = lower.length;
  // The first header of a name wins, as in switch_event_get_header.
  for (const [k, v] of ev.headers) if (k.length === n && k.toLowerCase() === lower) return v;
  return undefined;
}

export function eventHeader(ev: FsEvent, name: string): string | undefined {
  let memo = asked.get(ev);
  if (!memo) asked.set(ev, (memo = new Map()));
  const lower = name.toLowerCase();
  if (memo.has(lower)) return memo.get(lower);
  const v = scan(ev, lower);
  memo.set(lower, v);
  return v;
}

/** The channel an event is about: its Unique-ID header, else the uuid it was fired for. */
export const eventChannel = (ev: FsEvent): string | undefined => eventHeader(ev, 'unique-id') ?? ev.uuid;
