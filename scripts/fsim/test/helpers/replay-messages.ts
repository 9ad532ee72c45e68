// The replayer's view of the two message streams: which messages are complete, what kind each is,
// what one side still lacks of the other, and the capture -> fsim UUID mapping learnt from both.
import { eventsOf, parseMessages } from './capture.ts';
import type { EslMessage } from './capture.ts';

const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Messages whose bytes are complete (a read can end inside a message). */
export function completeMessages(buf: Buffer): EslMessage[] {
  const out: EslMessage[] = [];
  let pos = 0;
  for (const m of parseMessages(buf)) {
    const end = buf.indexOf('\n\n', pos);
    const len = Number(m.headers.find(([k]) => k === 'Content-Length')?.[1] ?? 0);
    if (end < 0 || end + 2 + len > buf.length) break;
    pos = end + 2 + len;
    out.push(m);
  }
  return out;
}

/** Bytes taken by the first n complete messages of buf. */
export function consumed(buf: Buffer, n: number): number {
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const end = buf.indexOf('\n\n', pos);
    const head = buf.subarray(pos, end).toString('latin1');
    const len = Number(/^Content-Length: *(\d+)$/m.exec(head)?.[1] ?? 0);
    pos = end + 2 + len;
  }
  return pos;
}

const ctypeOf = (m: EslMessage): string => m.headers.find(([k]) => k === 'Content-Type')?.[1] ?? '';
export const isEvent = (m: EslMessage): boolean => ctypeOf(m).startsWith('text/event-');

/** Kind of each message: `reply:<Content-Type>` or `event:<Event-Name>[/<subclass>]`. */
export function kindsOf(msgs: readonly EslMessage[], ignore: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const m of msgs) {
    if (!isEvent(m)) {
      out.push(`reply:${ctypeOf(m)}`);
      continue;
    }
    const ev = eventsOf([m])[0];
    if (!ev || ignore.has(ev.name)) continue;
    const sub = ev.get('Event-Subclass');
    out.push(`event:${ev.name}${sub ? `/${sub}` : ''}`);
  }
  return out;
}

export function countKinds(kinds: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of kinds) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

/** What `have` still lacks of `need`, as "kind xN" strings. */
export function missingKinds(need: ReadonlyMap<string, number>, have: ReadonlyMap<string, number>): string[] {
  const out: string[] = [];
  for (const [k, n] of need) {
    const h = have.get(k) ?? 0;
    if (h < n) out.push(`${k} x${n - h}`);
  }
  return out;
}

/** Capture UUID -> fsim UUID, shared by all connections of a scenario. */
export class UuidMap {
  readonly map = new Map<string, string>();

  set(capture: string, sim: string): void {
    const k = capture.toLowerCase();
    if (!this.map.has(k)) this.map.set(k, sim.toLowerCase());
  }

  rewrite(text: string): string {
    return text.replace(UUID_RE, (u) => {
      const k = u.toLowerCase();
      const v = this.map.get(k);
      if (v !== undefined) return v;
      // Not seen from the switch yet: the client chose it (origination_uuid, Job-UUID, ...).
      this.map.set(k, k);
      return u;
    });
  }

  /**
   * Learn from what both sides have sent so far: replies pairwise (their UUIDs positionally), and
   * channels by order of first appearance of Unique-ID in events.
   */
  learn(ref: readonly EslMessage[], sim: readonly EslMessage[]): void {
    const refReplies = ref.filter((m) => !isEvent(m));
    const simReplies = sim.filter((m) => !isEvent(m));
    refReplies.forEach((r, i) => {
      const s = simReplies[i];
      if (!s) return;
      // Headers by name (the outbound `connect` reply carries dozens, not all in both), then the body
      // positionally when both hold as many UUIDs (`+OK <uuid>` of originate).
      for (const [k, v] of r.headers) {
        const sv = s.headers.find(([sk]) => sk === k)?.[1];
        const ru = v.match(UUID_RE) ?? [];
        const su = sv?.match(UUID_RE) ?? [];
        if (ru.length === su.length) ru.forEach((u, j) => this.set(u, su[j] ?? u));
      }
      const ru = r.body.match(UUID_RE) ?? [];
      const su = s.body.match(UUID_RE) ?? [];
      if (ru.length === su.length) ru.forEach((u, j) => this.set(u, su[j] ?? u));
    });
    const chans = (msgs: readonly EslMessage[]): string[] => {
      const seen: string[] = [];
      for (const e of eventsOf(msgs.filter(isEvent))) {
        const id = e.get('Unique-ID');
        if (id && !seen.includes(id)) seen.push(id);
      }
      return seen;
    };
    const rc = chans(ref);
    const sc = chans(sim);
    rc.forEach((u, i) => {
      const s = sc[i];
      if (s) this.set(u, s);
    });
  }
}
