// A call keeps only the part of its outbound socket's channel data the service reads (issue 15,
// heap per live call): FreeSWITCH 1.10.12's real `connect` reply (capture 13, ../shared/fixtures/esl)
// with the dialplan's hotline_* variables and a partner's case-id variable added as a site's
// dialplan would set them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import t from 'tap';
import { keptChannelData } from '../src/freeswitch/channel-data.ts';
import { EslFrameParser } from '../src/freeswitch/esl-frame.ts';
import { compactView } from '../src/freeswitch/esl-message.ts';

const CAPTURE = path.resolve(import.meta.dirname, '../../../shared/fixtures/esl/13_outbound_socket_9002.s2c.bin');
const LIMITS = { maxHeaderBytes: 1 << 20, maxBodyBytes: 1 << 24 };
const SITE_VARS: [string, string][] = [
  ['variable_hotline_line', 'from110'],
  ['variable_hotline_node', 'fs1'],
  ['variable_hotline_110_summary', '%E9%82%BB%E9%87%8C%E5%99%AA%E9%9F%B3'],
  ['variable_hotline_110_case_id', 'JJ-2026-001'],
  ['variable_partner_case', 'P-77'],
  ['variable_other_partner_case', 'not-configured'],
];

function channelData() {
  const frame = new EslFrameParser(LIMITS).push(readFileSync(CAPTURE))[0]!;
  return compactView([...frame.headers, ...SITE_VARS]);
}

t.test('what intake reads answers as in the full channel data; the rest is gone', async (t) => {
  const full = channelData();
  const kept = keptChannelData(full, new Set(['partner_case']));
  for (const name of ['Unique-ID', 'Event-Date-Timestamp', 'Caller-Caller-ID-Number', 'Caller-Caller-ID-Name', 'Caller-Destination-Number', 'Caller-Channel-Created-Time']) {
    t.ok(full.get(name) !== undefined, `${name} is in the capture`);
    t.equal(kept.get(name), full.get(name), `${name} kept`);
  }
  t.equal(kept.get('variable_hotline_line'), 'from110');
  t.equal(kept.get('variable_hotline_110_summary'), '邻里噪音', 'decoded as the full view decodes it');
  t.equal(kept.get('variable_hotline_110_case_id'), 'JJ-2026-001');
  t.equal(kept.get('variable_partner_case'), 'P-77', "a configured partner's case-id variable is kept");
  t.equal(kept.get('variable_other_partner_case'), undefined, 'an unconfigured one is not');
  t.ok(full.get('variable_sip_full_via') && full.get('variable_switch_r_sdp'), 'the capture has SIP and SDP variables');
  t.equal(kept.get('variable_sip_full_via'), undefined, 'dropped');
  t.equal(kept.get('variable_switch_r_sdp'), undefined, 'dropped');
  const names = [...kept.headers()].map(([n]) => n);
  const all = [...full.headers()].length;
  t.ok(names.length <= 12 && all > 100, `${names.length} of ${all} headers kept`);
  t.same(new Set(names).size, names.length, 'each once');
});

t.test('a call in its welcome holds about 2 KB of channel data (11 headers), not ~5.8 KB', async (t) => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const N = 2000;
  const measure = (make: () => unknown): number => {
    const keep: unknown[] = [];
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < N; i++) keep.push(make());
    gc();
    const kb = (process.memoryUsage().heapUsed - before) / N / 1024;
    t.equal(keep.length, N);
    return kb;
  };
  const keepVars = new Set(['partner_case']);
  // Once each first, so the code compiled for them is not counted as data.
  measure(channelData);
  measure(() => keptChannelData(channelData(), keepVars));
  const fullKb = measure(channelData);
  const keptKb = measure(() => keptChannelData(channelData(), keepVars));
  t.ok(keptKb < 2.5, `kept: ${keptKb.toFixed(2)} KB per call`);
  t.ok(keptKb < fullKb / 2.5, `against ${fullKb.toFixed(2)} KB for the whole channel data`);
});
