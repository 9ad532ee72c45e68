// The header index loadEsl() adds to the ESL library's Event: the same answers as the library's
// own array scan (first header of a name wins, set replaces, delete forgets). Its speed is measured
// by `npm run bench -- push` and `esl-ingest`, not here.
import t from 'tap';
import { loadEsl } from '../src/freeswitch/esl-lib.ts';

interface Ev {
  headers: { name: string; value: unknown }[];
  getHeader(n: string): unknown;
  addHeader(n: string, v: unknown): unknown;
  delHeader(n: string): unknown;
}
const { Event } = loadEsl() as unknown as { Event: new (h: Record<string, unknown>, body?: string) => Ev };

t.test('lookups after construction from a JSON frame', async (t) => {
  const data: Record<string, unknown> = { 'Event-Name': 'CHANNEL_ANSWER' };
  for (let i = 0; i < 300; i++) data[`variable_v${i}`] = `value ${i}`;
  const ev = new Event(data);
  t.equal(ev.headers.length, 301);
  t.equal(ev.getHeader('Event-Name'), 'CHANNEL_ANSWER');
  t.ok([...Array(300).keys()].every((i) => ev.getHeader(`variable_v${i}`) === `value ${i}`), 'every header found');
  t.equal(ev.getHeader('nope'), null);
});

t.test('set, delete, re-add and duplicates keep the library semantics', async (t) => {
  const ev = new Event({ A: '1', B: '2' });
  ev.addHeader('A', 'one');
  t.equal(ev.getHeader('A'), 'one', 'set replaces');
  t.equal(ev.headers.length, 2, 'without adding a header');
  ev.delHeader('A');
  t.equal(ev.getHeader('A'), null, 'deleted');
  ev.addHeader('C', '3');
  ev.addHeader('A', 'again');
  t.same(ev.headers.map((h) => h.name), ['B', 'C', 'A']);
  t.equal(ev.getHeader('A'), 'again');
  // The array can be appended to directly (the library's own code paths do): found all the same,
  // and the first of two equal names wins, as with the scan.
  ev.headers.push({ name: 'A', value: 'second' }, { name: 'D', value: '4' });
  t.equal(ev.getHeader('A'), 'again');
  t.equal(ev.getHeader('D'), '4');
});
