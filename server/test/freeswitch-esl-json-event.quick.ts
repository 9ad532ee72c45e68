// event-json bodies are read by key, not parsed whole (issue 15: JSON.parse was the service's
// largest single CPU cost at 25 calls/s on the real switch). Every header of every event in two
// real FreeSWITCH 1.10.12 captures (../shared/fixtures/esl: 03, `event json ALL` for one call;
// 27, 20 calls) must read as JSON.parse reads it, and bodies built to fool a key search (keys
// quoted inside values, escapes, arrays, formatted JSON) must too.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { keptChannelData } from '../src/freeswitch/channel-data.ts';
import { EslFrameParser } from '../src/freeswitch/esl-frame.ts';
import { jsonEvent, type JsonEvent } from '../src/freeswitch/esl-json-event.ts';
import { decodeFrame } from '../src/freeswitch/esl-message.ts';
import { toSwitchEvent } from '../src/freeswitch/event-map.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures/esl');
const LIMITS = { maxHeaderBytes: 1 << 20, maxBodyBytes: 1 << 24 };

function capturedBodies(file: string): string[] {
  const frames = new EslFrameParser(LIMITS).push(readFileSync(path.join(FIXTURES, file)));
  return frames.filter((f) => f.headers.some(([n, v]) => n === 'Content-Type' && v === 'text/event-json')).map((f) => f.body!.toString('utf8'));
}

/** What the whole-body parse gives for a header (the reader before this one). */
function expected(obj: Record<string, unknown>, name: string): string | undefined {
  const v = obj[name];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : Array.isArray(v) ? v.map(String).join(',') : undefined;
}

function read(body: string): JsonEvent {
  const ev = jsonEvent(body);
  if (typeof ev === 'string') throw new Error(ev);
  return ev;
}

/** Every header read by name, the variables by prefix and all headers in order, against JSON.parse. */
function sameAsParse(t: Test, body: string, what: string): void {
  const obj = JSON.parse(body) as Record<string, unknown>;
  const ev = read(body);
  const wrong = Object.keys(obj).filter((k) => k !== '_body' && ev.get(k) !== expected(obj, k));
  t.same(wrong, [], `${what}: every header reads as parsed`);
  t.equal(ev.body, typeof obj._body === 'string' ? obj._body : '', `${what}: body`);
  t.equal(ev.get('No-Such-Header'), undefined, `${what}: a missing header is undefined`);
  const vars = Object.keys(obj).filter((k) => k.startsWith('variable_hotline_') || k.startsWith('variable_sip_'));
  t.same(
    Object.fromEntries([...ev.prefixed!('variable_sip_'), ...ev.prefixed!('variable_hotline_')]),
    Object.fromEntries(vars.map((k) => [k, expected(obj, k)])),
    `${what}: headers by prefix`,
  );
  t.same([...ev.headers()].map(([k]) => k), Object.keys(obj).filter((k) => k !== '_body'), `${what}: all headers, in order`);
}

t.test('the real switch\'s events read as JSON.parse reads them, header by header', async (t) => {
  const bodies = [...capturedBodies('03_event_json_ALL_call_9000.s2c.bin'), ...capturedBodies('27_events_per_call_census.s2c.bin')];
  t.ok(bodies.length > 1000, `${bodies.length} captured events`);
  let headers = 0;
  let wrong = 0;
  for (const body of bodies) {
    const obj = JSON.parse(body) as Record<string, unknown>;
    const ev = read(body);
    for (const k of Object.keys(obj)) {
      headers++;
      if (k !== '_body' && ev.get(k) !== expected(obj, k)) wrong++;
    }
  }
  t.equal(wrong, 0, `all ${headers} headers read alike`);
  // A few whole, with prefixes and iteration: one of each event name.
  const seen = new Set<string>();
  for (const body of bodies) {
    const name = read(body).get('Event-Name')!;
    if (seen.has(name)) continue;
    seen.add(name);
    sameAsParse(t, body, name);
  }
});

t.test('a key written inside a value is not taken for the key', async (t) => {
  const tricky = {
    'Event-Name': 'CHANNEL_CREATE',
    // A key's name as a value, alone and in an array, before the key itself.
    'Echo': 'Unique-ID',
    'Multi': ['a', 'b', 'variable_hotline_line'],
    // The value holds the text of a key and a value: quotes in it are escaped, so it is no key.
    'variable_sip_h_X-Note': '","Unique-ID":"forged","variable_hotline_line":"forged',
    'Caller-Caller-ID-Name': 'say \\"hi\\" \\\\',
    'Unique-ID': 'c0ffee00-0000-4000-8000-000000000001',
    'variable_hotline_line': '12345',
    'variable_hotline_110_summary': '邻里噪音 \u2028 end',
    'variable_hotline_esc': 'tab\there, newline\nthere, \u0001',
    'Number-Value': 7,
    _body: 'the "body"',
  };
  const body = JSON.stringify(tricky);
  sameAsParse(t, body, 'unformatted');
  sameAsParse(t, JSON.stringify(tricky, null, 2), 'formatted (spaces and newlines around keys)');
  const ev = read(body);
  t.equal(ev.get('Unique-ID'), 'c0ffee00-0000-4000-8000-000000000001');
  t.equal(ev.get('variable_hotline_line'), '12345');
  t.equal(ev.get('Multi'), 'a,b,variable_hotline_line', 'an array header joins, as before');
  t.equal(ev.get('Number-Value'), '7');
  // A value that ends in a backslash, before a key of the name searched for.
  sameAsParse(t, JSON.stringify({ 'Event-Name': 'X', A: 'ends with \\', 'Unique-ID': 'u1' }), 'escaped backslash at a value\'s end');
});

t.test('bodies that are no event are refused as before; a garbled one never throws', async (t) => {
  t.equal(jsonEvent('[]'), 'event-json body is not a JSON object');
  t.equal(jsonEvent('{"Event-N'), 'event-json body is not a JSON object');
  t.equal(jsonEvent('{"Unique-ID":"x"}'), 'event without Event-Name');
  t.equal(jsonEvent(' {"Event-Name" : "HEARTBEAT"} \n').toString(), '[object Object]', 'whitespace around is fine');
  // Right ends, garbage inside: lookups answer something or nothing, and never throw.
  for (const body of ['{"Event-Name":"X","A":"unterminated}', '{"Event-Name":"X",,,"A":[1,}', '{"Event-Name":"X","A":"\\u12"}', '{"Event-Name":"X","A":}']) {
    const ev = read(body);
    t.doesNotThrow(() => [ev.get('A'), ev.get('B'), [...ev.headers()], [...ev.prefixed!('A')], ev.body], body);
  }
});

t.test('what the service takes from an event is unchanged: switch events and a call\'s kept channel data', async (t) => {
  const body = capturedBodies('27_events_per_call_census.s2c.bin').find((b) => read(b).get('Event-Name') === 'CHANNEL_CREATE')!;
  const withVars = JSON.stringify({ ...(JSON.parse(body) as object), variable_hotline_line: 'main', variable_hotline_call_id: 'c1', variable_partner_case: 'P-1' });
  const lazy = read(withVars);
  // The old reading: the whole body parsed, headers iterated (no prefix lookup).
  const whole = { get: lazy.get, headers: lazy.headers };
  t.same(toSwitchEvent('fs1', lazy), toSwitchEvent('fs1', whole), 'CHANNEL_CREATE');
  t.same((toSwitchEvent('fs1', lazy) as { vars: object }).vars, { hotline_line: 'main', hotline_call_id: 'c1' });
  const keep = new Set(['partner_case', 'not_there']);
  t.same(new Map(keptChannelData(lazy, keep).headers()), new Map(keptChannelData(whole, keep).headers()), 'kept channel data');
  // Through the frame decoder, as the connection reads it.
  const frame = new EslFrameParser(LIMITS).push(Buffer.from(`Content-Length: ${Buffer.byteLength(withVars)}\nContent-Type: text/event-json\n\n${withVars}`))[0]!;
  const m = decodeFrame(frame);
  t.equal(m.kind === 'event' ? m.event.get('variable_hotline_call_id') : undefined, 'c1');
});
