// How the switch hands out events: every-event listeners in the order they subscribed, then the
// listeners of the event's own channel (outbound sockets), which see nothing of other channels. A
// listener that subscribes or leaves during an event takes effect from the next one. Header
// lookups are case-insensitive, first of a name winning, also after the event was indexed.
import t from 'tap';
import { Switch } from '../src/core/switch.ts';
import { RealClock } from '../src/core/clock.ts';
import { eventChannel, eventHeader } from '../src/event-header.ts';
import type { FsEvent, RoutingInput, RoutingResult } from '../src/types.ts';

const router = (i: RoutingInput): RoutingResult | undefined =>
  i.destinationNumber === '9001' ? { extension: '9001', actions: [{ application: 'answer', data: '' }, { application: 'park', data: '' }] } : undefined;

const mk = (): Switch => new Switch({ clock: new RealClock({ timeScale: 0.01 }), router, config: { heartbeatSec: 0 } });

t.test("a channel's listener gets that channel's events alone, after the every-event listeners", async (t) => {
  const sw = mk();
  t.teardown(() => sw.close());
  const order: string[] = [];
  const all: FsEvent[] = [];
  sw.onEvent((ev) => {
    all.push(ev);
    order.push(`all:${ev.name}`);
  });
  const a = sw.placeCall({ from: 'a', to: '9001' });
  const b = sw.placeCall({ from: 'b', to: '9001' });
  const ofA: FsEvent[] = [];
  const from = all.length;
  const stopA = sw.onChannelEvent(a, (ev) => {
    ofA.push(ev);
    order.push(`a:${ev.name}`);
  });
  const ofB: string[] = [];
  sw.onChannelEvent(b, (ev) => void ofB.push(eventChannel(ev)!));
  await new Promise((r) => setTimeout(r, 100));
  t.ok(ofA.length > 0, 'channel a has events');
  t.ok(ofA.every((ev) => eventChannel(ev) === a), 'only channel a');
  t.ok(ofB.length > 0 && ofB.every((u) => u === b), 'only channel b');
  const index = order.findIndex((o) => o.startsWith('a:'));
  t.equal(order[index - 1], `all:${order[index]!.slice(2)}`, 'the every-event listener had the same event first');
  sw.hangupCall(a, 'NORMAL_CLEARING');
  await new Promise((r) => setTimeout(r, 50));
  t.ok(ofA.some((ev) => ev.name === 'CHANNEL_HANGUP_COMPLETE'), "a's hangup reached its listener");
  const seen = ofA.length;
  t.same(all.slice(from).filter((ev) => eventChannel(ev) === a), ofA, 'the every-event listener saw the same events of a meanwhile');
  stopA();
  sw.hangupCall(b, 'NORMAL_CLEARING');
  await new Promise((r) => setTimeout(r, 50));
  t.equal(ofA.length, seen, 'nothing after unsubscribing');
});

t.test('subscribing or leaving during an event takes effect from the next event', async (t) => {
  const sw = mk();
  t.teardown(() => sw.close());
  const got: string[] = [];
  let stop2: (() => void) | undefined;
  const stop1 = sw.onEvent((ev) => {
    got.push(`1:${ev.name}`);
    stop2?.();
    stop2 = undefined;
    if (ev.name === 'HEARTBEAT' && got.length === 1) sw.onEvent((e) => void got.push(`3:${e.name}`));
  });
  stop2 = sw.onEvent((ev) => void got.push(`2:${ev.name}`));
  const hb = (n: number): FsEvent => ({ name: 'HEARTBEAT', headers: [['Event-Name', 'HEARTBEAT'], ['Seq', String(n)]] });
  sw.fireEvent(hb(1));
  sw.fireEvent(hb(2));
  stop1();
  sw.fireEvent(hb(3));
  t.same(got, ['1:HEARTBEAT', '2:HEARTBEAT', '1:HEARTBEAT', '3:HEARTBEAT', '3:HEARTBEAT']);
});

t.test('header lookups: any case, the first of a name', async (t) => {
  const ev: FsEvent = { name: 'CUSTOM', uuid: 'u-1', headers: [['Event-Name', 'CUSTOM'], ['Unique-ID', 'u-2'], ['unique-id', 'u-3'], ['X-A', '']] };
  t.equal(eventHeader(ev, 'UNIQUE-ID'), 'u-2');
  t.equal(eventHeader(ev, 'unique-id'), 'u-2');
  t.equal(eventHeader(ev, 'x-a'), '');
  t.equal(eventHeader(ev, 'missing'), undefined);
  t.equal(eventChannel(ev), 'u-2');
  t.equal(eventChannel({ name: 'X', uuid: 'u-9', headers: [['Event-Name', 'X']] }), 'u-9', 'no Unique-ID header: the uuid it was fired for');
});
