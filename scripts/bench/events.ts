// Realistic benchmark events, derived at run time from the real FreeSWITCH 1.10.12 captures in
// ../shared/fixtures/esl (27_events_per_call_census.s2c.bin, a raw `event json ALL` stream of 20
// calls). Templates are the captured CHANNEL_* events that carry the caller profile (Caller-*) and
// channel variables (variable_*), normalised to a fixed header count and size: topped up with
// channel variables borrowed from the largest captured event, or trimmed, then padded with one
// variable so each serialises to about the target size in JSON.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FsEvent, Header } from '../fsim/src/types.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The capture directory: explicit override, then $ESL_FIXTURES_DIR, then ../shared/fixtures/esl beside the repo. */
export function fixturesDir(override?: string): string {
  return resolve(override ?? process.env.ESL_FIXTURES_DIR ?? join(REPO_ROOT, '..', 'shared', 'fixtures', 'esl'));
}

/** Split a raw server-to-client ESL stream into frames: outer headers plus body. */
export function* parseEslStream(buf: Buffer): Generator<{ headers: Map<string, string>; body: Buffer }> {
  let i = 0;
  while (i < buf.length) {
    const end = buf.indexOf('\n\n', i);
    if (end < 0) return;
    const headers = new Map<string, string>();
    for (const line of buf.toString('utf8', i, end).split('\n')) {
      const c = line.indexOf(': ');
      if (c > 0) headers.set(line.slice(0, c), line.slice(c + 2));
    }
    i = end + 2;
    const len = Number(headers.get('Content-Length') ?? 0);
    const body = buf.subarray(i, i + len);
    i += len;
    yield { headers, body };
  }
}

export interface EventTemplate {
  readonly name: string;
  /** Headers in order; the bench fields below are placeholders overwritten per event. */
  readonly headers: readonly Header[];
  readonly seqIndex: number;
  readonly benchSeqIndex: number;
  readonly sentIndex: number;
  readonly uuid: string | undefined;
}

export interface TemplateSet {
  readonly source: string;
  readonly templates: readonly EventTemplate[];
  readonly headersPerEvent: number;
  /** Mean compact-JSON body size of the templates, bytes. */
  readonly meanJsonBytes: number;
}

export const SENT_HEADER = 'variable_bench_sent_ns';
export const SEQ_HEADER = 'variable_bench_seq';
const PAD_HEADER = 'variable_bench_pad';
/** hrtime.bigint() in nanoseconds, left-padded so every event has the same size. */
const SENT_WIDTH = 20;

function jsonSize(headers: readonly Header[]): number {
  return Buffer.byteLength(JSON.stringify(Object.fromEntries(headers)));
}

export function loadTemplates(opts: { dir?: string; targetHeaders?: number; targetBytes?: number } = {}): TemplateSet {
  const dir = fixturesDir(opts.dir);
  const targetHeaders = opts.targetHeaders ?? 180;
  const targetBytes = opts.targetBytes ?? 7168;
  const candidates = ['27_events_per_call_census.s2c.bin', '03_event_json_ALL_call_9000.s2c.bin'];
  const file = candidates.map((f) => join(dir, f)).find((p) => existsSync(p));
  if (!file) throw new Error(`no capture found in ${dir} (set ESL_FIXTURES_DIR or --fixtures)`);

  const captured: Header[][] = [];
  for (const frame of parseEslStream(readFileSync(file))) {
    if (frame.headers.get('Content-Type') !== 'text/event-json') continue;
    const obj = JSON.parse(frame.body.toString('utf8')) as Record<string, unknown>;
    if ('_body' in obj) continue;
    captured.push(Object.entries(obj).map(([k, v]) => [k, String(v)] as Header));
  }
  const isCallEvent = (h: Header[]): boolean => {
    const name = h[0]?.[1] ?? '';
    return name.startsWith('CHANNEL_') && h.some(([k]) => k.startsWith('Caller-')) && h.some(([k]) => k.startsWith('variable_'));
  };
  const calls = captured.filter(isCallEvent);
  if (calls.length === 0) throw new Error(`no CHANNEL_* event with Caller-* and variable_* headers in ${file}`);
  // Channel variables to top small events up with: those of the largest captured event.
  const largest = calls.reduce((a, b) => (b.length > a.length ? b : a));
  const donorVars = largest.filter(([k]) => k.startsWith('variable_'));

  // One template per distinct (Event-Name, header count) shape, in capture order.
  const seen = new Set<string>();
  const templates: EventTemplate[] = [];
  for (const h of calls) {
    const key = `${h[0]?.[1]}/${h.length}`;
    if (seen.has(key) || h.length < 50) continue;
    seen.add(key);
    const room = targetHeaders - 3; // bench_seq, bench_sent_ns, bench_pad
    let headers = h.slice(0, room);
    const names = new Set(headers.map(([k]) => k));
    for (const d of donorVars) {
      if (headers.length >= room) break;
      if (!names.has(d[0])) headers.push(d);
    }
    for (let k = 0; headers.length < room; k++) headers.push([`variable_bench_extra_${k}`, `sofia/internal/1000@127.0.0.1:5060;k=${k}`]);
    headers = [...headers, [SEQ_HEADER, '0'], [SENT_HEADER, '0'.repeat(SENT_WIDTH)], [PAD_HEADER, '']];
    // Over budget (end-of-call events carry long SDP/codec variables): shorten the longest variable.
    for (let excess = jsonSize(headers) - targetBytes; excess > 0; excess = jsonSize(headers) - targetBytes) {
      let at = -1;
      headers.forEach(([k, v], i) => {
        if (k.startsWith('variable_') && v.length > 32 && (at < 0 || v.length > (headers[at]?.[1].length ?? 0))) at = i;
      });
      const h = headers[at];
      if (!h) break;
      headers[at] = [h[0], h[1].slice(0, Math.max(32, h[1].length - excess))];
    }
    const padLen = Math.max(0, targetBytes - jsonSize(headers));
    // Realistic value characters, including ones plain format must URL-encode.
    const unit = 'X-110-Summary: noise complaint, Building 3 @ Road 12; ';
    headers[headers.length - 1] = [PAD_HEADER, unit.repeat(Math.ceil(padLen / unit.length)).slice(0, padLen)];
    templates.push({
      name: h[0]?.[1] ?? 'CHANNEL_STATE',
      headers,
      seqIndex: headers.findIndex(([k]) => k === 'Event-Sequence'),
      benchSeqIndex: headers.length - 3,
      sentIndex: headers.length - 2,
      uuid: headers.find(([k]) => k === 'Unique-ID')?.[1],
    });
  }
  const meanJsonBytes = templates.reduce((s, t) => s + jsonSize(t.headers), 0) / templates.length;
  return { source: file, templates, headersPerEvent: targetHeaders, meanJsonBytes };
}

/** Build event number `seq` from the template set, stamping the send time now. */
export function makeEvent(set: TemplateSet, seq: number, sentNs: bigint): FsEvent {
  const tpl = set.templates[seq % set.templates.length];
  if (!tpl) throw new Error('empty template set');
  const headers = tpl.headers.slice();
  if (tpl.seqIndex >= 0) headers[tpl.seqIndex] = ['Event-Sequence', String(100000 + seq)];
  headers[tpl.benchSeqIndex] = [SEQ_HEADER, String(seq)];
  headers[tpl.sentIndex] = [SENT_HEADER, sentNs.toString().padStart(SENT_WIDTH, '0')];
  return tpl.uuid === undefined ? { name: tpl.name, headers } : { name: tpl.name, uuid: tpl.uuid, headers };
}
