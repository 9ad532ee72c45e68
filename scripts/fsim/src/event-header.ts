// Case-insensitive header lookup on an event (switch_event_get_header), shared by the switch core
// and the ESL layer. Every listener of every event asks for a header or two (Unique-ID above all):
// with thousands of outbound sockets open a linear, lower-casing scan of ~180 headers per question
// was most of the simulator's time, so each event's headers are indexed once, on first lookup.
// Events are not changed after they are fired.
import type { FsEvent } from './types.ts';

const indexes = new WeakMap<FsEvent, Map<string, string>>();

export function eventHeader(ev: FsEvent, name: string): string | undefined {
  let index = indexes.get(ev);
  if (!index) {
    index = new Map();
    // The first header of a name wins, as in switch_event_get_header.
    for (const [k, v] of ev.headers) {
      const lower = k.toLowerCase();
      if (!index.has(lower)) index.set(lower, v);
    }
    indexes.set(ev, index);
  }
  return index.get(name.toLowerCase());
}

/** The channel an event is about: its Unique-ID header, else the uuid it was fired for. */
export const eventChannel = (ev: FsEvent): string | undefined => eventHeader(ev, 'unique-id') ?? ev.uuid;
