// A command reply's headers (an outbound socket's channel data lives as long as its call) are kept
// as one string and decoded when read: the same answers as before (first header of a name wins,
// values percent-decoded, empty values kept), and a fraction of the heap. The channel data is the
// real FreeSWITCH 1.10.12 `connect` reply of capture 13 (../shared/fixtures/esl).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import t from 'tap';
import { EslFrameParser } from '../src/freeswitch/esl-frame.ts';
import { compactView, decodeFrame, percentDecode } from '../src/freeswitch/esl-message.ts';

const CAPTURE = path.resolve(import.meta.dirname, '../../../shared/fixtures/esl/13_outbound_socket_9002.s2c.bin');
const LIMITS = { maxHeaderBytes: 1 << 20, maxBodyBytes: 1 << 24 };

function connectReply(): { headers: readonly (readonly [string, string])[]; data: ReturnType<typeof compactView> } {
  const frame = new EslFrameParser(LIMITS).push(readFileSync(CAPTURE))[0]!;
  const m = decodeFrame(frame);
  if (m.kind !== 'reply') throw new Error(`expected a reply, got ${m.kind}`);
  return { headers: frame.headers, data: m.data };
}

t.test('lookups answer as a map of decoded headers, first of a name winning', async (t) => {
  const v = compactView([
    ['Reply-Text', '+OK'],
    ['Caller-Caller-ID-Name', '%E5%BC%A0%E4%B8%89'],
    ['variable_sip_h_X-Note', 'noise%20complaint: 50% louder'],
    ['variable_empty', ''],
    ['Reply-Text', '-ERR second'],
    ['variable_hotline_line', 'main'],
  ]);
  t.equal(v.get('Reply-Text'), '+OK');
  t.equal(v.get('Caller-Caller-ID-Name'), '张三');
  t.equal(v.get('variable_sip_h_X-Note'), 'noise complaint: 50% louder');
  t.equal(v.get('variable_empty'), '');
  t.equal(v.get('variable_hotline_line'), 'main');
  t.equal(v.get('variable_hotline'), undefined, 'a prefix of a name is not a name');
  t.equal(v.get('Text'), undefined, 'a suffix of a name is not a name');
  t.equal(v.get('missing'), undefined);
  t.same([...v.headers()], [
    ['Reply-Text', '+OK'],
    ['Caller-Caller-ID-Name', '张三'],
    ['variable_sip_h_X-Note', 'noise complaint: 50% louder'],
    ['variable_empty', ''],
    ['variable_hotline_line', 'main'],
  ]);
  t.same([...compactView([]).headers()], []);
  t.equal(compactView([]).get('Reply-Text'), undefined);
});

t.test("FreeSWITCH's connect reply: every header reads as before", async (t) => {
  const { headers, data } = connectReply();
  t.ok(headers.length > 100, `${headers.length} headers`);
  const first = new Map<string, string>();
  for (const [n, v] of headers) if (!first.has(n)) first.set(n, percentDecode(v));
  t.same(Object.fromEntries([...first.keys()].map((n) => [n, data.get(n)])), Object.fromEntries(first), 'get(name) for every header');
  t.same([...data.headers()], [...first]);
  t.equal(data.get('Unique-ID')?.length, 36);
});

t.test('a live call holds a few KB for its channel data, not ~21 KB', async (t) => {
  // A full collection on demand, without --expose-gc on tap's command line.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const N = 1000;
  const keep: unknown[] = [];
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < N; i++) keep.push(connectReply().data);
  gc();
  const perCallKb = (process.memoryUsage().heapUsed - before) / N / 1024;
  t.ok(perCallKb < 8, `channel data: ${perCallKb.toFixed(1)} KB of heap per call`);
  t.equal(keep.length, N);
});
