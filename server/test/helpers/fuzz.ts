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

// ---- ESL frames, as a hostile switch would send them ----

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
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
