// What a frame means, by its Content-Type: the switch asking for auth, the reply to the command
// we sent last, an event, or the notice that it is closing. Anything malformed throws
// EslProtocolError, which ends the connection it came on (never the process).
import type { RawEvent } from './event-map.ts';
import { parseHeaderBlock, type EslFrame } from './esl-frame.ts';

export class EslProtocolError extends Error {
  override name = 'EslProtocolError';
}

/** Headers by name, first one wins (as switch_event_get_header). */
export interface HeaderView {
  get(name: string): string | undefined;
  headers(): Iterable<[string, string]>;
}

export interface EslEvent extends RawEvent {
  readonly body: string;
}

export type EslMessage =
  | { readonly kind: 'auth-request' }
  /** command/reply (Reply-Text in `text`, other headers such as an outbound socket's channel data) or api/response (body in `text`). */
  | { readonly kind: 'reply'; readonly text: string; readonly data: HeaderView }
  | { readonly kind: 'event'; readonly event: EslEvent }
  | { readonly kind: 'disconnect'; readonly text: string }
  /** A frame of a type the service never asks for (log/data, event-xml): skipped. */
  | { readonly kind: 'ignored'; readonly contentType: string };

/**
 * FreeSWITCH percent-encodes header values in command/reply frames and event-plain bodies, but
 * leaves a `%` that was already in the value as it is (capture README: a SIP header's
 * `noise%20complaint` arrives as sent), so a lone `%` is legitimate and stays a `%`.
 */
export function percentDecode(v: string): string {
  if (!v.includes('%')) return v;
  try {
    return decodeURIComponent(v);
  } catch {
    return v.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

function viewOf(pairs: readonly (readonly [string, string])[], decode: boolean): HeaderView {
  const map = new Map<string, string>();
  for (const [n, v] of pairs) if (!map.has(n)) map.set(n, decode ? percentDecode(v) : v);
  return { get: (n) => map.get(n), headers: () => map.entries() };
}

/**
 * A command reply's headers kept as one string of their raw "name: value" lines (a raw value never
 * holds a line feed), decoded when read. An outbound socket's channel data (the `connect` reply,
 * ~140 headers, ~5.5 KB) lives as long as its call: as a map of decoded strings it held ~21 KB of
 * heap per live call, as one flat string ~6 KB (`npm run bench -- load`). Lookups are rare (a few
 * per call), so a scan is cheap enough.
 */
export function compactView(pairs: readonly (readonly [string, string])[]): HeaderView {
  const text = pairs.length ? `\n${pairs.map(([n, v]) => `${n}: ${v}`).join('\n')}\n` : '\n';
  return {
    get(name) {
      const key = `\n${name}: `;
      const at = text.indexOf(key);
      return at < 0 ? undefined : percentDecode(text.slice(at + key.length, text.indexOf('\n', at + key.length)));
    },
    *headers() {
      const seen = new Set<string>();
      for (let at = 1; at < text.length; ) {
        const end = text.indexOf('\n', at);
        const sep = text.indexOf(': ', at);
        const name = text.slice(at, sep);
        if (!seen.has(name)) {
          seen.add(name);
          yield [name, percentDecode(text.slice(sep + 2, end))];
        }
        at = end + 1;
      }
    },
  };
}

function jsonEvent(body: string): EslEvent {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw new EslProtocolError('event-json body is not JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new EslProtocolError('event-json body is not an object');
  const obj = data as Record<string, unknown>;
  if (typeof obj['Event-Name'] !== 'string') throw new EslProtocolError('event without Event-Name');
  const get = (n: string): string | undefined => {
    const v = obj[n];
    // FreeSWITCH writes every header as a string (multi-value headers as arrays of strings).
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : Array.isArray(v) ? v.map(String).join(',') : undefined;
  };
  return {
    get,
    headers: function* () {
      for (const k of Object.keys(obj)) {
        const v = k === '_body' ? undefined : get(k);
        if (v !== undefined) yield [k, v];
      }
    },
    body: typeof obj._body === 'string' ? obj._body : '',
  };
}

function plainEvent(body: Buffer): EslEvent {
  const end = body.indexOf('\n\n');
  const head = parseHeaderBlock(body.toString('utf8', 0, end < 0 ? body.length : end));
  if (typeof head === 'string') throw new EslProtocolError(`event-plain: ${head}`);
  const view = viewOf(head, true);
  if (view.get('Event-Name') === undefined) throw new EslProtocolError('event without Event-Name');
  const clen = view.get('Content-Length');
  let inner = '';
  if (clen !== undefined && end >= 0) {
    if (!/^\d{1,10}$/.test(clen)) throw new EslProtocolError('event-plain: bad Content-Length');
    inner = body.toString('utf8', end + 2, Math.min(body.length, end + 2 + Number(clen)));
  }
  return { get: view.get, headers: view.headers, body: inner };
}

/** The message a frame carries; throws EslProtocolError when it is malformed. */
export function decodeFrame(frame: EslFrame): EslMessage {
  const outer = viewOf(frame.headers, false);
  const type = outer.get('Content-Type');
  switch (type) {
    case 'auth/request':
      return { kind: 'auth-request' };
    case 'command/reply': {
      const data = compactView(frame.headers);
      return { kind: 'reply', text: data.get('Reply-Text') ?? '', data };
    }
    case 'api/response':
      return { kind: 'reply', text: frame.body?.toString('utf8') ?? '', data: outer };
    case 'text/event-json':
      if (!frame.body) throw new EslProtocolError('event-json frame without a body');
      return { kind: 'event', event: jsonEvent(frame.body.toString('utf8')) };
    case 'text/event-plain':
      if (!frame.body) throw new EslProtocolError('event-plain frame without a body');
      return { kind: 'event', event: plainEvent(frame.body) };
    case 'text/disconnect-notice':
    case 'text/rude-rejection':
      return { kind: 'disconnect', text: frame.body?.toString('utf8').trim() ?? '' };
    case undefined:
      throw new EslProtocolError('frame without Content-Type');
    default:
      return { kind: 'ignored', contentType: type.slice(0, 64) };
  }
}
