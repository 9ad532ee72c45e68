// An event-json body read lazily. Every channel event carries all of the channel's variables
// (5-12 KB of JSON, ~180 keys) and the service reads a handful of them, so parsing the whole body
// was the largest single cost of the service's CPU under load (`npm run bench -- load-freeswitch
// --cpu-prof`: JSON.parse ~12 % of the busy time at 25 calls/s). A header is found by its key
// instead; the whole body is parsed only when every header is wanted (a channel's creation, the
// dialplan intake's channel data) or when a value is not a plain string.
//
// Why a key can be found with indexOf: in valid JSON a `"` inside a string is written `\"`, so
// the text `"Name":` preceded (spaces aside) by `{` or `,` occurs only where a key starts. The
// switch writes its events with cJSON, unformatted ({"Event-Name":"CHANNEL_CREATE",...}); a
// formatted body works too (whitespace is skipped). A value a hostile peer garbled can come out
// wrong, never crash anything: the service checks each value it uses (event-map.ts).
import type { RawEvent } from './event-map.ts';

export interface JsonEvent extends RawEvent {
  readonly body: string;
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Header names the service looks up: nothing in them needs JSON escaping. */
const PLAIN_NAME = /^[A-Za-z0-9_-]+$/;

/** FreeSWITCH writes every header as a string (multi-value headers as arrays of strings). */
function headerValue(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : Array.isArray(v) ? v.map(String).join(',') : undefined;
}

/** The event, or why the body is not one (the caller turns that into its protocol error). */
export function jsonEvent(body: string): JsonEvent | string {
  let first = 0;
  while (first < body.length && isSpace(body.charCodeAt(first))) first++;
  let last = body.length - 1;
  while (last > first && isSpace(body.charCodeAt(last))) last--;
  if (body[first] !== '{' || body[last] !== '}') return 'event-json body is not a JSON object';

  let whole: Record<string, unknown> | null | undefined;
  /** The whole body, parsed once when needed; null when it is not a JSON object. */
  const parsed = (): Record<string, unknown> | null => {
    if (whole !== undefined) return whole;
    try {
      const data: unknown = JSON.parse(body);
      whole = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : null;
    } catch {
      whole = null;
    }
    return whole;
  };
  const slow = (name: string): string | undefined => {
    const obj = parsed();
    return obj && Object.hasOwn(obj, name) ? headerValue(obj[name]) : undefined;
  };

  /** Where the value of key `name` starts, or -1 (no such key). */
  const valueAt = (name: string): number => {
    const key = `"${name}"`;
    for (let at = body.indexOf(key, first); at >= 0; at = body.indexOf(key, at + 1)) {
      let before = at - 1;
      while (before >= first && isSpace(body.charCodeAt(before))) before--;
      const c = body[before];
      if (c !== '{' && c !== ',') continue;
      let colon = at + key.length;
      while (colon <= last && isSpace(body.charCodeAt(colon))) colon++;
      if (body[colon] !== ':') continue;
      let v = colon + 1;
      while (v <= last && isSpace(body.charCodeAt(v))) v++;
      return v;
    }
    return -1;
  };

  const get = (name: string): string | undefined => {
    if (!PLAIN_NAME.test(name)) return slow(name);
    const v = valueAt(name);
    if (v < 0) return undefined;
    if (body.charCodeAt(v) !== QUOTE) return slow(name);
    let escaped = false;
    for (let i = v + 1; i <= last; i++) {
      const c = body.charCodeAt(i);
      if (c === BACKSLASH) {
        escaped = true;
        i++;
      } else if (c === QUOTE) {
        if (!escaped) return body.slice(v + 1, i);
        try {
          return JSON.parse(body.slice(v, i + 1)) as string;
        } catch {
          return slow(name);
        }
      }
    }
    return slow(name);
  };

  /** The headers whose names start with `prefix`, first of each name, found by key as get() is. */
  function* prefixed(prefix: string): Iterable<[string, string]> {
    const names = new Set<string>();
    if (PLAIN_NAME.test(prefix)) {
      const key = `"${prefix}`;
      for (let at = body.indexOf(key, first); at >= 0; at = body.indexOf(key, at + 1)) {
        let before = at - 1;
        while (before >= first && isSpace(body.charCodeAt(before))) before--;
        if (body[before] !== '{' && body[before] !== ',') continue;
        const end = body.indexOf('"', at + 1);
        const name = body.slice(at + 1, end < 0 ? at + 1 : end);
        // A name that needs escaping is not one the fast path can look up: read it all instead.
        if (end < 0 || !PLAIN_NAME.test(name)) return yield* filtered(prefix);
        names.add(name);
      }
    } else return yield* filtered(prefix);
    for (const name of names) {
      const v = get(name);
      if (v !== undefined) yield [name, v];
    }
  }
  function* headers(): Iterable<[string, string]> {
    const obj = parsed();
    if (!obj) return;
    for (const k of Object.keys(obj)) {
      const v = k === '_body' ? undefined : headerValue(obj[k]);
      if (v !== undefined) yield [k, v];
    }
  }
  function* filtered(prefix: string): Iterable<[string, string]> {
    for (const h of headers()) if (h[0].startsWith(prefix)) yield h;
  }

  if (get('Event-Name') === undefined) return 'event without Event-Name';
  return {
    get,
    headers,
    prefixed,
    get body() {
      return get('_body') ?? '';
    },
  };
}
