// Serialisers and the URL-encoding quirk, checked byte for byte against the FreeSWITCH captures.
import { readFileSync } from 'node:fs';
import t from 'tap';
import type { FsEvent, Header } from '../src/types.ts';
import { eventFrame, serializeJson, serializePlain, serializeXml } from '../src/esl/serialize.ts';
import { fsUrlEncode } from '../src/esl/url-encode.ts';

const FIX = new URL('../../../../shared/fixtures/esl/', import.meta.url);
const s2c = (name: string): string => readFileSync(new URL(`${name}.s2c.bin`, FIX)).toString('utf8');

/** Split a server stream into "Content-Length: N\nContent-Type: text/event-X\n\n<data>" frames. */
function eventFrames(stream: string, type: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`Content-Length: (\\d+)\\nContent-Type: text/event-${type}\\n\\n`, 'g');
  const buf = Buffer.from(stream, 'utf8');
  for (let m = re.exec(stream); m; m = re.exec(stream)) {
    const start = Buffer.byteLength(stream.slice(0, m.index), 'utf8');
    const headLen = Buffer.byteLength(m[0], 'utf8');
    out.push(buf.subarray(start, start + headLen + Number(m[1])).toString('utf8'));
  }
  return out;
}

/** Parse FreeSWITCH's flat JSON object keeping key order AND duplicate keys (JSON.parse drops them). */
function jsonToEvent(data: string): FsEvent {
  const pairs: Array<[string, string]> = [];
  const re = /"((?:[^"\\]|\\.)*)":"((?:[^"\\]|\\.)*)"[,}]/gy;
  re.lastIndex = 1;
  for (let m = re.exec(data); m; m = re.exec(data)) {
    pairs.push([JSON.parse(`"${m[1]}"`) as string, JSON.parse(`"${m[2]}"`) as string]);
  }
  if (re.lastIndex !== 0) throw new Error('unparsed JSON tail');
  let body: string | undefined;
  if (pairs.at(-1)?.[0] === '_body') {
    body = (pairs.pop() as [string, string])[1];
    pairs.pop(); // its Content-Length
  }
  const name = pairs.find(([k]) => k === 'Event-Name')?.[1] ?? '';
  return body === undefined ? { name, headers: pairs } : { name, headers: pairs, body };
}

t.test('url encoding follows switch_url_encode', async (t) => {
  t.equal(fsUrlEncode('fd00::2'), 'fd00%3A%3A2');
  t.equal(fsUrlEncode('Sun, 22 Nov 2026 02:56:13 GMT'), 'Sun,%2022%20Nov%202026%2002%3A56%3A13%20GMT');
  t.equal(fsUrlEncode('loopback/9001/default &park'), 'loopback/9001/default%20%26park');
  t.equal(fsUrlEncode('noise%20complaint'), 'noise%20complaint', 'an existing uppercase %XX is kept');
  t.equal(fsUrlEncode('a%2fb'), 'a%252fb', 'lowercase hex is not recognised and gets encoded');
  t.equal(fsUrlEncode('100%'), '100%25', 'a trailing % has no two bytes after it');
  t.equal(fsUrlEncode('噪音'), '%E5%99%AA%E9%9F%B3', 'UTF-8 bytes are encoded one by one');
  t.equal(fsUrlEncode("(x)*!$'~,"), "(x)*!$'~,", 'characters outside the unsafe set stay');
  t.equal(fsUrlEncode('a+b=c?d@e'), 'a%2Bb%3Dc%3Fd%40e');
});

t.test('plain event: BACKGROUND_JOB of capture 12 byte for byte', async (t) => {
  const frames = eventFrames(s2c('12_errors'), 'plain');
  t.equal(frames.length, 1);
  const frame = frames[0] as string;
  const data = frame.slice(frame.indexOf('\n\n') + 2);
  const [head, body] = [data.slice(0, data.indexOf('Content-Length:')), data.slice(data.indexOf('\n\n') + 2)];
  const headers: Header[] = head
    .trimEnd()
    .split('\n')
    .map((l) => [l.slice(0, l.indexOf(':')), decodeURIComponent(l.slice(l.indexOf(':') + 2))]);
  t.equal(eventFrame({ name: 'BACKGROUND_JOB', headers, body }, 'plain'), frame);
});

t.test('json events: all 30 of capture 03 byte for byte', async (t) => {
  const frames = eventFrames(s2c('03_event_json_ALL_call_9000'), 'json');
  t.ok(frames.length >= 30, `${frames.length} frames`);
  for (const frame of frames) {
    const ev = jsonToEvent(frame.slice(frame.indexOf('\n\n') + 2));
    t.equal(eventFrame(ev, 'json'), frame, ev.name);
  }
});

t.test('plain and json of the same events agree (capture 23 outbound plain vs inbound json)', async (t) => {
  const plain = eventFrames(s2c('23_outbound_socket_ivr'), 'plain');
  const json = new Map<string, FsEvent>();
  for (const f of eventFrames(s2c('23_outbound_socket_ivr_inbound'), 'json')) {
    const ev = jsonToEvent(f.slice(f.indexOf('\n\n') + 2));
    const seq = ev.headers.find(([k]) => k === 'Event-Sequence')?.[1];
    if (seq) json.set(seq, ev);
  }
  let compared = 0;
  for (const frame of plain) {
    const seq = /^Event-Sequence: (\d+)$/m.exec(frame)?.[1];
    const ev = seq ? json.get(seq) : undefined;
    if (!ev) continue;
    compared++;
    t.equal(eventFrame(ev, 'plain'), frame, `${ev.name} #${seq}`);
  }
  t.ok(compared >= 10, `compared ${compared} events`);
});

t.test('json body goes under _body after a string Content-Length', async (t) => {
  const ev: FsEvent = { name: 'BACKGROUND_JOB', headers: [['Event-Name', 'BACKGROUND_JOB'], ['Job-Command', 'status']], body: '+OK 噪\n' };
  t.equal(serializeJson(ev), '{"Event-Name":"BACKGROUND_JOB","Job-Command":"status","Content-Length":"8","_body":"+OK 噪\\n"}');
  t.equal(serializeJson({ name: 'X', headers: [['A', 'q"\\\u0001']] }), '{"A":"q\\"\\\\\\u0001"}');
});

t.test('plain: empty values print _undef_, empty body prints no Content-Length', async (t) => {
  t.equal(serializePlain([['A', ''], ['B', 'x y']]), 'A: _undef_\nB: x%20y\n\n');
  t.equal(serializePlain([['A', '1']], ''), 'A: 1\n\n');
  t.equal(serializePlain([['A', '1']], 'hi\n'), 'A: 1\nContent-Length: 3\n\nhi\n');
});

t.test('xml follows switch_event_xmlize + switch_xml_toxml', async (t) => {
  const ev: FsEvent = {
    name: 'BACKGROUND_JOB',
    headers: [['Event-Name', 'BACKGROUND_JOB'], ['Job-Command-Arg', 'a <b> & "c"'], ['Empty', '']],
    body: '+OK <done> & 噪\n',
  };
  t.equal(
    serializeXml(ev),
    '<event>\n  <headers>\n    <Event-Name>BACKGROUND_JOB</Event-Name>\n' +
      '    <Job-Command-Arg>a%20%3Cb%3E%20%26%20%22c%22</Job-Command-Arg>\n    <Empty></Empty>\n  </headers>\n' +
      '  <Content-Length>17</Content-Length>\n  <body>+OK &lt;done&gt; &amp; &#x566A;\n  </body>\n</event>\n',
  );
  t.equal(serializeXml({ name: 'HEARTBEAT', headers: [['Event-Name', 'HEARTBEAT']] }), '<event>\n  <headers>\n    <Event-Name>HEARTBEAT</Event-Name>\n  </headers>\n</event>\n');
  const frame = eventFrame({ name: 'HEARTBEAT', headers: [['Event-Name', 'HEARTBEAT']] }, 'xml');
  t.match(frame, /^Content-Length: 81\nContent-Type: text\/event-xml\n\n<event>/);
});
