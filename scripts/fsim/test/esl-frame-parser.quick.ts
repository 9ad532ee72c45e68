// The command-frame parser: framing variants, bodies, chunking and bounded memory.
import t from 'tap';
import { CommandFrameParser, atoi, frameHeader } from '../src/esl/frame-parser.ts';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

t.test('LF and CRLF framing, leading blank lines skipped', async (t) => {
  const p = new CommandFrameParser();
  const frames = p.push(b('\r\n\napi status\n\nauth ClueCon\r\n\r\nexit\n\n'));
  t.same(frames.map((f) => f.command), ['api status', 'auth ClueCon', 'exit']);
  t.notOk(p.midFrame);
});

t.test('sendmsg headers and a Content-Length body, split byte by byte', async (t) => {
  const p = new CommandFrameParser();
  const text = 'sendmsg 1234\ncall-command: execute\nexecute-app-name: playback\nContent-Length: 6\n\nab\n\ncdnoevents\n\n';
  const frames = [...b(text)].flatMap((byte) => p.push(Buffer.from([byte])));
  t.equal(frames.length, 2);
  const [msg, next] = frames;
  t.equal(msg?.command, 'sendmsg 1234');
  t.equal(msg && frameHeader(msg, 'Execute-App-Name'), 'playback');
  t.equal(msg?.body, 'ab\n\ncd', 'a body may contain blank lines');
  t.equal(next?.command, 'noevents', 'the stream resumes right after the body');
});

t.test('header lines without a colon are ignored; spaces after the colon skipped', async (t) => {
  const [f] = new CommandFrameParser().push(b('bgapi status\ngarbage\nJob-UUID:    abc\n\n'));
  t.same(f?.headers, [['Job-UUID', 'abc']]);
});

t.test('Content-Length uses atoi semantics', async (t) => {
  t.equal(atoi('12abc'), 12);
  t.equal(atoi('  -5'), -5);
  t.equal(atoi('x'), 0);
  const frames = new CommandFrameParser().push(b('sendmsg\nContent-Length: -3\n\nexit\n\n'));
  t.same(frames.map((f) => [f.command, f.body]), [['sendmsg', undefined], ['exit', undefined]]);
});

t.test('a header block over the cap is cut into a frame and the stream resyncs', async (t) => {
  const p = new CommandFrameParser({ maxHead: 1024 });
  const frames = p.push(Buffer.concat([Buffer.alloc(5000, 0x41), b('\n\napi status\n\n')]));
  t.ok(frames.length >= 5, 'garbage split into capped frames');
  t.equal(frames.filter((f) => f.truncated).length, 4, "4 full 1 KiB pieces were cut");
  t.equal(frames.at(-1)?.command, 'api status');
});

t.test('a body over the cap is an error and further input is ignored', async (t) => {
  const p = new CommandFrameParser({ maxBody: 100 });
  t.same(p.push(b('sendmsg\nContent-Length: 1000000000\n\n')), []);
  t.match(p.error, /exceeds/);
  t.same(p.push(b('exit\n\n')), []);
});

t.test('binary garbage never throws', async (t) => {
  const p = new CommandFrameParser({ maxHead: 4096 });
  let n = 0;
  for (let i = 0; i < 200; i++) {
    const buf = Buffer.alloc(997);
    for (let j = 0; j < buf.length; j++) buf[j] = (i * 31 + j * 17) & 0xff;
    n += p.push(buf).length;
  }
  t.ok(n > 0);
});
