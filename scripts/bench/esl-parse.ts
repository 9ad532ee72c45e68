// Benchmark `esl-parse`: in one process, with no socket, where modesl / drachtio-modesl spend their
// time on one realistic event. Feeds each library's Parser the same serialised stream (64 KB
// chunks, as a socket would) and times the stages of its per-event work separately. Backs the
// "why is plain slower" notes in scripts/bench/README.md.
import { createRequire } from 'node:module';
import { EventEmitter } from 'node:events';
import { ESL_LIBS, eslLibVersion } from './esl-libs.ts';
import { loadTemplates, makeEvent } from './events.ts';
import { serializeEvent } from './mini-esl-server.ts';

export const description = 'in-process breakdown of modesl / drachtio-modesl per-event parse cost (plain vs json), no socket';
export const usage = 'npm run bench -- esl-parse [--events N=4000] [--rounds N=5]';

const require = createRequire(import.meta.url);

interface ParserLike {
  encoding: string;
  on(ev: string, fn: (...a: unknown[]) => void): void;
  _parsePlainBody(txt: string): Record<string, unknown>;
}
type ParserCtor = new (socket: EventEmitter) => ParserLike;
type EventCtor = new (headers: Record<string, unknown>) => unknown;

/** Best of `rounds` timings of fn over n items, in microseconds per item. */
function usPer(n: number, rounds: number, fn: (i: number) => void): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn(i);
    best = Math.min(best, performance.now() - t);
  }
  return Math.round((best * 1000 * 10) / n) / 10;
}

export async function main(argv: string[]): Promise<Record<string, unknown>> {
  const arg = (k: string, d: number): number => {
    const i = argv.indexOf(k);
    const v = i >= 0 ? Number(argv[i + 1]) : d;
    if (!Number.isFinite(v) || v <= 0) throw new Error(usage);
    return Math.floor(v);
  };
  const n = arg('--events', 4000);
  const rounds = arg('--rounds', 5);
  const set = loadTemplates();
  const frames = { plain: [] as string[], json: [] as string[] };
  for (let i = 0; i < n; i++) {
    const ev = makeEvent(set, i, 1n);
    frames.plain.push(serializeEvent(ev, 'plain'));
    frames.json.push(serializeEvent(ev, 'json'));
  }
  const bodyOf = (f: string): string => f.slice(f.indexOf('\n\n') + 2);
  const plainBodies = frames.plain.map(bodyOf);
  const jsonBodies = frames.json.map(bodyOf);
  const objs = jsonBodies.map((b) => JSON.parse(b) as Record<string, unknown>);
  const headerBlocks = plainBodies.map((b) => b.slice(0, b.indexOf('\n\n')));
  const lines = headerBlocks.map((b) => b.split('\n'));
  console.error(`esl-parse: ${n} events x ${rounds} rounds, best round`);

  // The stages are the same code in both libraries (lib/esl/Parser.js and Event.js are identical).
  const P = require('modesl/lib/esl/Parser.js') as ParserCtor;
  const Ev = require('modesl/lib/esl/Event.js') as EventCtor;
  const proto = Object.create((P as unknown as { prototype: ParserLike }).prototype) as ParserLike;
  proto.encoding = 'utf8';
  const stages_us_per_event = {
    json_JSON_parse: usPer(n, rounds, (i) => JSON.parse(jsonBodies[i] ?? '')),
    plain_parsePlainBody_total: usPer(n, rounds, (i) => proto._parsePlainBody(plainBodies[i] ?? '')),
    plain_split_lines: usPer(n, rounds, (i) => (headerBlocks[i] ?? '').split('\n')),
    plain_per_line_split_shift_join: usPer(n, rounds, (i) => {
      for (const l of lines[i] ?? []) {
        const d = l.split(': ');
        d.shift();
        d.join(': ');
      }
    }),
    plain_decodeURIComponent_every_value: usPer(n, rounds, (i) => {
      for (const l of lines[i] ?? []) decodeURIComponent(l.slice(l.indexOf(': ') + 2));
    }),
    plain_alternative_indexOf_decode_only_if_percent: usPer(n, rounds, (i) => {
      const o: Record<string, string> = {};
      for (const l of lines[i] ?? []) {
        const c = l.indexOf(': ');
        const v = l.slice(c + 2);
        o[l.slice(0, c)] = v.includes('%') ? decodeURIComponent(v) : v;
      }
    }),
    new_Event_from_headers_O_n2: usPer(n, rounds, (i) => new Ev(objs[i] ?? {})),
    alternative_Map_from_headers: usPer(n, rounds, (i) => new Map(Object.entries(objs[i] ?? {}))),
  };

  // Whole Parser, per library, on 64 KB chunks of the serialised stream.
  const parser_events_per_s: Record<string, Record<string, number>> = {};
  for (const lib of ESL_LIBS) {
    const Parser = require(`${lib}/lib/esl/Parser.js`) as ParserCtor;
    for (const format of ['plain', 'json'] as const) {
      const buf = Buffer.from(frames[format].join(''));
      const chunks: Buffer[] = [];
      for (let o = 0; o < buf.length; o += 65536) chunks.push(buf.subarray(o, o + 65536));
      let best = Infinity;
      for (let r = 0; r < rounds; r++) {
        const sock = new EventEmitter();
        let got = 0;
        new Parser(sock).on('esl::event', () => got++);
        const t = performance.now();
        for (const c of chunks) sock.emit('data', c);
        const ms = performance.now() - t;
        if (got !== n) throw new Error(`${lib} ${format}: parsed ${got} of ${n}`);
        best = Math.min(best, ms);
      }
      (parser_events_per_s[`${lib}@${eslLibVersion(lib)}`] ??= {})[format] = Math.round(n / (best / 1000));
    }
  }
  return { bench: 'esl-parse', events: n, rounds, headers_per_event: set.headersPerEvent, stages_us_per_event, parser_events_per_s };
}
