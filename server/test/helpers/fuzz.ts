// Random JSON-ish values for payload fuzzing, from a seeded generator so a failure replays.
export function rng(seed: number): () => number {
  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['action', 'reason', 'callId', 'agentId', '__proto__', 'constructor', 'seq', ''];

export function randomValue(r: () => number, depth = 0): unknown {
  const pick = Math.floor(r() * (depth > 2 ? 6 : 9));
  const str = () => Array.from({ length: Math.floor(r() * 12) }, () => String.fromCharCode(32 + Math.floor(r() * 0x2fff))).join('');
  switch (pick) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return [0, -1, 1e308, Number.MAX_SAFE_INTEGER, r() * 1e6][Math.floor(r() * 5)];
    case 3:
      return str();
    case 4:
      return 'x'.repeat(Math.floor(r() * 2000));
    case 5:
      return undefined;
    case 6:
      return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(r() * 4); i > 0; i--) o[r() < 0.6 ? KEYS[Math.floor(r() * KEYS.length)]! : str()] = randomValue(r, depth + 1);
      return o;
    }
  }
}

/** Argument lists for one emit: usually one payload, sometimes none or several. */
export function randomArgs(r: () => number): unknown[] {
  const n = r() < 0.85 ? 1 : Math.floor(r() * 3) * (r() < 0.5 ? 0 : 1) + (r() < 0.5 ? 0 : 2);
  return Array.from({ length: n }, () => randomValue(r));
}

/** One element of xs, drawn from the seeded generator. */
export const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

// ---- ESL frames, as a hostile switch would send them ----

const int = (r: () => number, max: number): number => Math.floor(r() * max);

/** A UUID from the seeded generator (8-4-4-4-12 hex), so a failing run replays exactly. */
export function randomUuid(r: () => number): string {
  const hex = (n: number): string => Array.from({ length: n }, () => int(r, 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
}

const CONTENT_TYPES = ['command/reply', 'api/response', 'text/event-json', 'text/event-plain', 'text/event-xml', 'text/disconnect-notice', 'auth/request', 'log/data', 'text/rude-rejection', '', 'x/\u0000'];
const HEADER_NAMES = ['Content-Type', 'Content-Length', 'Reply-Text', 'Event-Name', 'Unique-ID', 'Job-UUID', 'Application-UUID', 'variable_sip_h_X-110-Summary', 'Caller-Caller-ID-Number', ''];

/** A header value: plain, percent-escaped (valid or not), control bytes, long. */
export function randomHeaderValue(r: () => number): string {
  switch (int(r, 8)) {
    case 0:
      return '%';
    case 1:
      return `${'%E4%B8'.repeat(int(r, 4))}%zz%${int(r, 10)}`;
    case 2:
      return `a\rb\u0000c`;
    case 3:
      return 'v'.repeat(int(r, 5000));
    case 4:
      return `${randomUuid(r)}\napi originate user/1 &park`;
    case 5:
      return String(-int(r, 1e9));
    default:
      return Array.from({ length: int(r, 24) }, () => String.fromCharCode(32 + int(r, 0x2fff))).join('');
  }
}

/** A body for a frame: JSON (often broken), a plain header block, XML fragments, random bytes. */
export function randomBody(r: () => number): string {
  switch (int(r, 7)) {
    case 0:
      return JSON.stringify(randomValue(r)) ?? 'null';
    case 1:
      return JSON.stringify({ 'Event-Name': pick(r, ['CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HANGUP', 'BACKGROUND_JOB', 'DTMF', '']), 'Unique-ID': r() < 0.5 ? randomUuid(r) : randomHeaderValue(r), 'Job-UUID': randomUuid(r), _body: randomHeaderValue(r) }).slice(0, r() < 0.3 ? int(r, 80) : undefined);
    case 2:
      return `Event-Name: ${randomHeaderValue(r)}\nUnique-ID: ${randomHeaderValue(r)}\n${r() < 0.5 ? 'Content-Length: 5\n\nhello' : '\n'}`;
    case 3:
      return `<event><headers><Event-Name>${randomHeaderValue(r)}</Event-Name>`.slice(0, int(r, 60));
    case 4:
      return '';
    default:
      return Array.from({ length: int(r, 300) }, () => String.fromCharCode(int(r, 256))).join('');
  }
}

/** One frame (or what pretends to be one): headers with a right, wrong or missing Content-Length. */
export function randomEslFrame(r: () => number): Buffer {
  if (r() < 0.05) return Buffer.from(Array.from({ length: int(r, 2000) }, () => int(r, 256)));
  const body = r() < 0.7 ? randomBody(r) : undefined;
  const lines: string[] = [];
  for (let i = int(r, 4); i > 0; i--) lines.push(`${pick(r, HEADER_NAMES)}: ${randomHeaderValue(r)}`);
  if (r() < 0.9) lines.push(`Content-Type: ${pick(r, CONTENT_TYPES)}`);
  if (body !== undefined) {
    const len = Buffer.byteLength(body);
    const clen = pick(r, [len, len, len, len - 1, len + 3, -1, 1e12, 'abc', '']);
    if (r() < 0.95) lines.unshift(`Content-Length: ${clen}`);
  }
  if (r() < 0.1) lines.push('no colon in this line');
  return Buffer.from(`${lines.join(r() < 0.1 ? '\r\n' : '\n')}\n\n${body ?? ''}`);
}

// ---- hostile inputs for the REST and Socket.IO fuzz (security-fuzz.test.ts) ----

/** Strings that break parsers, dial strings, keys and logs: CR/LF, NUL, quotes, ESL syntax, traversal, odd Unicode. */
export const NASTY = [
  '',
  ' ',
  '\r\n',
  '1000\r\napi originate user/1 &park',
  '1000\nbgapi originate sofia/gateway/gw_carrier/13900000000 &park',
  "1000'; DROP TABLE agents;--",
  '"quoted"',
  '\u0000',
  '%00',
  '%ZZ',
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '${jndi:ldap://x}',
  '{target}',
  '[origination_caller_id_number=110]user/1',
  'sofia/gateway/gw_carrier/13900000000',
  'user/1000,user/1001|user/1002',
  '__proto__',
  'constructor',
  'prototype',
  '１０００',
  '\u202e0001',
  '😀'.repeat(40),
  'x'.repeat(65),
  'x'.repeat(129),
  'x'.repeat(5000),
  '<script>alert(1)</script>',
  'true',
  'null',
  '-1',
  '1e309',
  'NaN',
] as const;

/** A string of random code points, some from the ranges that trip decoders (controls, surrogates). */
export function randomText(r: () => number, max = 40): string {
  const n = Math.floor(r() * max);
  let s = '';
  for (let i = 0; i < n; i++) {
    const band = r();
    const cp = band < 0.1 ? Math.floor(r() * 32) : band < 0.2 ? 0xd800 + Math.floor(r() * 0x800) : band < 0.6 ? 32 + Math.floor(r() * 95) : Math.floor(r() * 0x2fff);
    s += String.fromCharCode(cp);
  }
  return s;
}

/** Any generated value as text (String() throws on the prototype-less objects randomValue can make). */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v) ?? 'undefined';
  } catch {
    return '[unprintable]';
  }
}

/** A hostile value for a field: a nasty string, random text, a wrong type, or a random JSON value. */
export function hostile(r: () => number): unknown {
  const x = r();
  if (x < 0.45) return pick(r, NASTY);
  if (x < 0.6) return randomText(r);
  if (x < 0.8) return pick(r, [null, 0, -1, 1.5, 1e308, true, false, [], {}, [[]], { '': '' }]);
  return randomValue(r);
}

/**
 * A valid value with one field replaced by `bad` (a value the field refuses): near-valid inputs go
 * deeper than random JSON, into the checks after the schema's first rejection.
 */
export function withOneBad(r: () => number, valid: Record<string, unknown>, bad: Record<string, readonly unknown[]>): Record<string, unknown> {
  const field = pick(r, Object.keys(bad));
  return { ...valid, [field]: pick(r, bad[field]!) };
}

/** Percent-encoded; lone surrogates (which encodeURIComponent refuses) become an invalid UTF-8 escape. */
export const encode = (s: string): string => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\u{10FFFF}')).replace(/%F4%8F%BF%BF/g, '%ED%A0%80');

/** A query string of random (sometimes prototype-polluting, repeated, or huge) parameters. */
export function randomQuery(r: () => number): string {
  const parts: string[] = [];
  for (let i = Math.floor(r() * 5); i > 0; i--) {
    const key = pick(r, ['scope', 'at', 'limit', '__proto__[admin]', 'constructor[prototype][x]', 'scope[]', 'a'.repeat(300), randomText(r, 8)]);
    const value = pick(r, ['center', 'queue:general', 'queue:', '2026-11-22T10:00:00+08:00', 'yesterday', asText(hostile(r)), randomText(r)]);
    parts.push(`${encode(key)}=${r() < 0.8 ? encode(value) : value.replace(/[^\x21-\x7e]/g, '%FF')}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** A path segment: a real id, a hostile string (encoded, or raw percent garbage), or an overlong one. */
export function randomSegment(r: () => number, real: readonly string[]): string {
  const x = r();
  if (x < 0.3) return pick(r, real);
  if (x < 0.75) return encode(asText(hostile(r)));
  return pick(r, ['%ZZ', '%00', '%2e%2e', '..', '.', '%C0%AF', 'a'.repeat(3000), '%E4%B8%AD', '%']);
}
