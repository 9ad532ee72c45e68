// Compares two ESL byte streams "in form", as the fidelity tests require: framing, Content-Type,
// reply texts, the set and order of events per channel and the header names of each event.
// Values that legitimately differ between runs (UUIDs, times, addresses, counters) are not compared.
import { eventsOf, parseMessages, type CapturedEvent, type EslMessage } from './capture.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

export interface CompareOptions {
  /** Event names whose count and timing depend on the clock (default HEARTBEAT, RE_SCHEDULE). */
  readonly ignoreEvents?: readonly string[];
}

interface Parsed {
  replies: EslMessage[];
  events: CapturedEvent[];
  eventFrames: string[];
}

const header = (m: EslMessage, n: string): string | undefined => m.headers.find(([k]) => k === n)?.[1];
const isEventType = (ct: string | undefined): boolean => !!ct && ct.startsWith('text/event-');

function parse(buf: Buffer, ignore: ReadonlySet<string>): Parsed {
  const msgs = parseMessages(buf);
  const replies = msgs.filter((m) => !isEventType(header(m, 'Content-Type')));
  const evMsgs = msgs.filter((m) => isEventType(header(m, 'Content-Type')));
  const events: CapturedEvent[] = [];
  const eventFrames: string[] = [];
  evMsgs.forEach((m) => {
    const ev = eventsOf([m])[0];
    if (!ev || ignore.has(ev.name)) return;
    events.push(ev);
    eventFrames.push(m.headers.map(([k]) => k).join(','));
  });
  return { replies, events, eventFrames };
}

export function normalizeText(s: string): string {
  return s.replace(UUID, '<uuid>').replace(/\d+/g, 'N').replace(/[ \t]+/g, ' ');
}

/**
 * Channel variables come out of a hash in insertion order (see compareEvent): in dumps
 * (`uuid_dump`, plain or json) the variable_* keys keep their place after the other keys but are
 * compared as a set, i.e. sorted.
 */
function varsAsSet<T>(keys: readonly T[], name: (k: T) => string): T[] {
  const isVar = (k: T): boolean => name(k).startsWith('variable_');
  const vars = keys.filter(isVar).sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
  let i = 0;
  return keys.map((k) => (isVar(k) ? (vars[i++] as T) : k));
}

/** The shape of a JSON value: key names and value kinds, array lengths kept. */
function jsonShape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(jsonShape);
  if (v && typeof v === 'object') return Object.fromEntries(varsAsSet(Object.entries(v), ([k]) => k).map(([k, x]) => [k, jsonShape(x)]));
  return typeof v;
}

/** api/response and BACKGROUND_JOB bodies: JSON by shape, "Key: value" dumps by key, text by words. */
export function bodyForm(body: string): string {
  const trimmed = body.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.stringify(jsonShape(JSON.parse(trimmed)));
    } catch {
      /* not JSON after all: compare as text */
    }
  }
  const lines = body.split('\n');
  const kv = lines.filter((l) => /^[\w-]+: /.test(l)).length;
  if (kv > 3 && kv >= lines.length / 2) return varsAsSet(lines.map((l) => /^([\w-]+): /.exec(l)?.[1] ?? normalizeText(l)), (k) => k).join('\n');
  return normalizeText(body);
}

function eventKey(e: CapturedEvent): string {
  const sub = e.get('Event-Subclass');
  return sub ? `${e.name}/${sub}` : e.name;
}

function compareEvent(where: string, a: CapturedEvent, b: CapturedEvent, out: string[]): void {
  const plainA = a.headers.map(([k]) => k).filter((k) => !k.startsWith('variable_'));
  const plainB = b.headers.map(([k]) => k).filter((k) => !k.startsWith('variable_'));
  if (plainA.join(',') !== plainB.join(',')) {
    const missing = plainA.filter((k) => !plainB.includes(k));
    const extra = plainB.filter((k) => !plainA.includes(k));
    out.push(`${where} ${eventKey(a)}: headers differ; missing [${missing.join(', ')}] extra [${extra.join(', ')}]${!missing.length && !extra.length ? ' (order)' : ''}`);
  }
  // Channel variables come out of a hash in insertion order, which depends on what set them first:
  // compare them as a set.
  const varsA = new Set(a.headers.map(([k]) => k).filter((k) => k.startsWith('variable_')));
  const varsB = new Set(b.headers.map(([k]) => k).filter((k) => k.startsWith('variable_')));
  const vm = [...varsA].filter((k) => !varsB.has(k));
  const vx = [...varsB].filter((k) => !varsA.has(k));
  if (vm.length || vx.length) out.push(`${where} ${eventKey(a)}: variables differ; missing [${vm.join(', ')}] extra [${vx.join(', ')}]`);
  if ((a.body === undefined) !== (b.body === undefined)) out.push(`${where} ${eventKey(a)}: body present ${a.body !== undefined} vs ${b.body !== undefined}`);
  else if (a.body !== undefined && b.body !== undefined && bodyForm(a.body) !== bodyForm(b.body))
    out.push(`${where} ${eventKey(a)}: body ${JSON.stringify(bodyForm(a.body))} vs ${JSON.stringify(bodyForm(b.body))}`);
}

function byChannel(events: readonly CapturedEvent[]): Map<string, CapturedEvent[]> {
  const m = new Map<string, CapturedEvent[]>();
  for (const e of events) {
    const id = e.get('Unique-ID') ?? '(no channel)';
    const list = m.get(id) ?? [];
    list.push(e);
    m.set(id, list);
  }
  return m;
}

/**
 * Differences between the reference capture and the simulator's stream, empty when they agree in form.
 * Channels are matched by order of first appearance.
 */
export function compareStreams(reference: Buffer, simulated: Buffer, opts: CompareOptions = {}): string[] {
  const ignore = new Set(opts.ignoreEvents ?? ['HEARTBEAT', 'RE_SCHEDULE']);
  const a = parse(reference, ignore);
  const b = parse(simulated, ignore);
  const out: string[] = [];

  if (a.replies.length !== b.replies.length) out.push(`replies: ${a.replies.length} in the capture, ${b.replies.length} simulated`);
  a.replies.forEach((ra, i) => {
    const rb = b.replies[i];
    if (!rb) return;
    const where = `reply #${i + 1}`;
    // The outbound `connect` reply is a whole CHANNEL_DATA event: its variables compared as a set.
    const names = (m: EslMessage): string[] => varsAsSet(m.headers.map(([k]) => k), (k) => k);
    const ha = names(ra).join(',');
    const hb = names(rb).join(',');
    if (ha !== hb) {
      const na = names(ra);
      const nb = names(rb);
      const missing = na.filter((k) => !nb.includes(k));
      const extra = nb.filter((k) => !na.includes(k));
      out.push(missing.length || extra.length ? `${where}: framing differs; missing [${missing.join(', ')}] extra [${extra.join(', ')}]` : `${where}: framing (order) [${ha}] vs [${hb}]`);
    }
    const ta = header(ra, 'Reply-Text');
    const tb = header(rb, 'Reply-Text');
    if (ta !== undefined && normalizeText(ta) !== normalizeText(tb ?? '')) out.push(`${where}: Reply-Text ${JSON.stringify(ta)} vs ${JSON.stringify(tb)}`);
    if (bodyForm(ra.body) !== bodyForm(rb.body)) out.push(`${where} (${header(ra, 'Content-Type')}): body ${JSON.stringify(bodyForm(ra.body).slice(0, 300))} vs ${JSON.stringify(bodyForm(rb.body).slice(0, 300))}`);
  });

  const framesA = new Set(a.eventFrames);
  for (const f of new Set(b.eventFrames)) if (!framesA.has(f)) out.push(`event framing [${f}] not in the capture [${[...framesA].join(' | ')}]`);

  out.push(...compareEvents(a.events, b.events));
  return out;
}

/**
 * Differences between two event lists in form: per channel (matched by order of first appearance)
 * the same event sequence, and for each event the same non-variable header names in the same order,
 * the same set of variable_* names and the same body form. Used by compareStreams and by the switch
 * model's tests, which compare FsEvent lists directly (see switch-run.ts).
 */
export function compareEvents(reference: readonly CapturedEvent[], simulated: readonly CapturedEvent[]): string[] {
  const out: string[] = [];
  // Events without a channel (BACKGROUND_JOB, conference-create, API, ...) form one group, compared
  // with the other side's such group wherever it first appears: its position among the channels
  // only reflects timing (which leg answered before the first job finished).
  const NONE = '(no channel)';
  const order = (m: Map<string, CapturedEvent[]>): [string, CapturedEvent[]][] => [
    ...[...m].filter(([id]) => id !== NONE),
    ...(m.has(NONE) ? [[NONE, m.get(NONE) ?? []] as [string, CapturedEvent[]]] : []),
  ];
  const chA = order(byChannel(reference));
  const chB = order(byChannel(simulated));
  if (chA.length !== chB.length) out.push(`channels: ${chA.length} in the capture, ${chB.length} simulated`);
  chA.forEach(([id, evA], c) => {
    const evB = (id === NONE ? chB.find(([x]) => x === NONE) : chB[c]?.[0] === NONE ? undefined : chB[c])?.[1] ?? [];
    const where = id === '(no channel)' ? 'non-channel events' : `channel #${c + 1}`;
    const na = evA.map(eventKey);
    const nb = evB.map(eventKey);
    if (na.join(' ') !== nb.join(' ')) out.push(`${where}: event sequence\n    capture:   ${na.join(' ')}\n    simulated: ${nb.join(' ')}`);
    // Each event is compared with the other side's occurrence of the same name (the k-th
    // CHANNEL_EXECUTE with the k-th CHANNEL_EXECUTE), not with whatever sits at its position: a
    // missing or extra event is reported once in the sequence above and does not shift the rest.
    const seenB = new Map<string, CapturedEvent[]>();
    for (const f of evB) seenB.set(eventKey(f), [...(seenB.get(eventKey(f)) ?? []), f]);
    const taken = new Map<string, number>();
    evA.forEach((e, i) => {
      const k = eventKey(e);
      const n = taken.get(k) ?? 0;
      taken.set(k, n + 1);
      const f = seenB.get(k)?.[n];
      if (f) compareEvent(`${where} event ${i + 1}`, e, f, out);
    });
  });
  return out;
}

/** Raw header values of a text/event-plain message, as on the wire (URL-encoded). */
function rawPlainHeaders(m: EslMessage): Map<string, string> {
  const inner = parseMessages(Buffer.from(m.body.endsWith('\n\n') ? m.body : m.body + '\n\n'))[0];
  return new Map(inner?.headers ?? []);
}

/**
 * URL-encoding of text/event-plain header values: FreeSWITCH encodes values, except that an
 * existing %XX sent by a SIP peer stays as it is (`noise%20complaint`). For events matched as in
 * compareEvents (channel by order of first appearance, same position, same name), a header whose
 * decoded values agree (digits and UUIDs aside) must also agree on the wire; variable_sip_h_*
 * values, which come verbatim from the SIP peer the scenario reproduces, must agree exactly.
 */
export function compareEncoding(reference: Buffer, simulated: Buffer): string[] {
  const plain = (buf: Buffer): { ev: CapturedEvent; raw: Map<string, string> }[] =>
    parseMessages(buf)
      .filter((m) => header(m, 'Content-Type') === 'text/event-plain')
      .flatMap((m) => {
        const ev = eventsOf([m])[0];
        return ev ? [{ ev, raw: rawPlainHeaders(m) }] : [];
      });
  const group = (xs: ReturnType<typeof plain>): ReturnType<typeof plain>[] => {
    const m = new Map<string, ReturnType<typeof plain>>();
    for (const x of xs) {
      const id = x.ev.get('Unique-ID') ?? '(no channel)';
      m.set(id, [...(m.get(id) ?? []), x]);
    }
    // As in compareEvents: the events without a channel last, whatever their first position.
    return [...[...m].filter(([id]) => id !== '(no channel)').map(([, v]) => v), ...(m.has('(no channel)') ? [m.get('(no channel)') ?? []] : [])];
  };
  const a = group(plain(reference));
  const b = group(plain(simulated));
  const out: string[] = [];
  a.forEach((evA, c) => {
    const evB = b[c] ?? [];
    evA.forEach((x, i) => {
      const y = evB[i];
      if (!y || y.ev.name !== x.ev.name) return;
      for (const [k, rawA] of x.raw) {
        const rawB = y.raw.get(k);
        if (rawB === undefined) continue;
        const exact = k.startsWith('variable_sip_h_');
        const same = exact ? rawA === rawB : normalizeText(x.ev.get(k) ?? '') !== normalizeText(y.ev.get(k) ?? '') || normalizeText(rawA) === normalizeText(rawB);
        if (!same) out.push(`channel #${c + 1} event ${i + 1} ${x.ev.name}: ${k} on the wire ${JSON.stringify(rawA)} vs ${JSON.stringify(rawB)}`);
      }
    });
  });
  return [...new Set(out)];
}

/**
 * Where replies fall among events: for each reply, how many events (ignored names aside) came
 * before it. FreeSWITCH writes a blocking api's response before the events fired meanwhile, and a
 * reply and the next event may share one read; a simulator that orders them otherwise confuses
 * clients that wait for a reply.
 */
export function compareInterleaving(reference: Buffer, simulated: Buffer, opts: CompareOptions = {}): string[] {
  const ignore = new Set(opts.ignoreEvents ?? ['HEARTBEAT', 'RE_SCHEDULE']);
  const positions = (buf: Buffer): number[] => {
    const out: number[] = [];
    let events = 0;
    for (const m of parseMessages(buf)) {
      if (!isEventType(header(m, 'Content-Type'))) out.push(events);
      else if (!ignore.has(eventsOf([m])[0]?.name ?? '')) events++;
    }
    return out;
  };
  const a = positions(reference);
  const b = positions(simulated);
  const out: string[] = [];
  a.forEach((n, i) => {
    const m = b[i];
    if (m !== undefined && m !== n) out.push(`reply #${i + 1}: after ${n} events in the capture, after ${m} simulated`);
  });
  return out;
}

/**
 * When each channel shows up among the replies: for every channel (by order of first appearance),
 * how many replies came before its first event. Deterministic where timing-dependent interleaving
 * is not: a blocking `api originate` answers before any event of the leg it created (FreeSWITCH
 * queues them while the listener thread runs the api), `bgapi`'s +OK comes before the job's first
 * event (often in the same read), a caller's INVITE arrives after the subscription's reply.
 */
export function compareChannelOrigins(reference: Buffer, simulated: Buffer): string[] {
  const origins = (buf: Buffer): number[] => {
    const seen = new Set<string>();
    const out: number[] = [];
    let replies = 0;
    for (const m of parseMessages(buf)) {
      if (!isEventType(header(m, 'Content-Type'))) {
        replies++;
        continue;
      }
      const id = eventsOf([m])[0]?.get('Unique-ID');
      if (id && !seen.has(id)) {
        seen.add(id);
        out.push(replies);
      }
    }
    return out;
  };
  const a = origins(reference);
  const b = origins(simulated);
  const out: string[] = [];
  a.forEach((n, i) => {
    const m = b[i];
    if (m !== undefined && m !== n) out.push(`channel #${i + 1}: first event after ${n} replies in the capture, after ${m} simulated`);
  });
  return out;
}
