// Issue #11, queue features on the real FreeSWITCH and on fsim: overflow to another queue and out
// to a number, elder mode, a DTMF menu, position announcements.
import t from 'tap';
import { DEFAULT_FLOWS } from '../../src/ivr/default-flows.ts';
import { switchSuite } from './helpers/suite.ts';
import { until } from './helpers/world.ts';

const suite = switchSuite(t);

suite.scenario('overflow after the maximum wait: to another queue (t0 kept) and out to a number', async (t, w) => {
  const ent = await w.call({ from: '13800000401', to: '123457', hangupAfterMs: 20_000 });
  const entId = await ent.uuid();
  const t0 = (await until('queued', () => w.calls.queues.get(entId))).t0Us;
  const moved = await until('moved to general', async () => (await w.calls.queues.get(entId))?.queue === 'general' && w.calls.queues.get(entId), 15_000);
  t.equal(moved?.t0Us, t0, 't0 stays at the first entry');

  const out = await w.call({ from: '13800000402', to: '12345', hangupAfterMs: 20_000 });
  const outId = await out.uuid();
  // (The enterprise caller, now in general, overflows out as well: find this caller's carrier leg.)
  const carrierLegs = (): Set<string> => new Set(w.tap.events.filter((e) => e.name === 'CHANNEL_CREATE' && e.direction === 'outbound' && /4000012345/.test(e.get('Channel-Name') ?? '')).map((e) => e.uuid));
  await until('caller bridged out to the carrier', () => w.tap.of(outId, 'CHANNEL_BRIDGE').some((e) => carrierLegs().has(e.get('Other-Leg-Unique-ID') ?? '')), 15_000);
  t.equal(await w.calls.queues.get(outId), undefined, 'the caller left the queue');
  t.match(w.calls.registry.get(outId)?.transfers, [{ kind: 'blind', to: '4000012345' }]);
}, {
  world: {
    queues: [
      { name: 'general', maxWaitSec: 3, overflow: { number: '4000012345' }, announceEverySec: 0 },
      { name: 'enterprise', maxWaitSec: 2, overflow: { queue: 'general' }, announceEverySec: 0 },
      { name: 'elder', skill: 'general' },
      { name: 'from110', skill: 'general' },
    ],
  },
});

suite.scenario('elder mode: a listed elder caller goes to the elder queue with elder priority', async (t, w) => {
  const c = await w.call({ from: '13900001111', to: '12345', hangupAfterMs: 6000 });
  const q = await until('elder queued', async () => w.calls.queues.get(await c.uuid()));
  t.match(q, { queue: 'elder', priority: 2 });
}, { world: { flows: { ...DEFAULT_FLOWS, elderNumbers: ['13900001111'] } } });

suite.scenario('a DTMF menu: the caller chooses with RFC 2833 keys; silence falls back', async (t, w) => {
  const keyed = await w.call({ from: '13800000411', to: '123457', dtmf: [{ afterMs: 1500, digits: '2' }], hangupAfterMs: 15_000 });
  const silent = await w.call({ from: '13800000412', to: '123457', hangupAfterMs: 20_000 });
  const q = await until('menu caller queued', async () => w.calls.queues.get(await keyed.uuid()), 15_000);
  t.equal(q.queue, 'enterprise-en', 'key 2 chose the English queue');
  t.same(w.calls.registry.get(await keyed.uuid())?.ivrPath, ['choose', 'en', 'q_en']);
  t.ok(w.tap.of(await keyed.uuid(), 'DTMF').some((e) => e.get('DTMF-Digit') === '2'), 'the switch reported the digit');
  const q2 = await until('silent caller queued', async () => w.calls.queues.get(await silent.uuid()), 20_000);
  t.equal(q2.queue, 'general', 'after the tries, the fallback queue');
}, {
  world: {
    flows: {
      ...DEFAULT_FLOWS,
      lines: { ...DEFAULT_FLOWS.lines, enterprise: 'menu' },
      flows: {
        ...DEFAULT_FLOWS.flows,
        menu: {
          start: 'choose',
          nodes: {
            choose: { type: 'menu', prompt: 'menu.wav', options: { '1': 'zh', '2': 'en' }, timeoutMs: 2000, maxTries: 2, invalidPrompt: 'invalid.wav', timeoutPrompt: 'timeout.wav', onFail: 'q' },
            zh: { type: 'queue', queue: 'enterprise' },
            en: { type: 'set', name: 'language', value: 'en', next: 'q_en' },
            q_en: { type: 'queue', queue: 'enterprise-en' },
            q: { type: 'queue', queue: 'general' },
          },
        },
      },
    },
  },
});

suite.scenario('position announcements while waiting', async (t, w) => {
  const a = await w.call({ from: '13800000421', to: '12345', hangupAfterMs: 12_000 });
  await new Promise((r) => setTimeout(r, 1000));
  const b = await w.call({ from: '13800000422', to: '12345', hangupAfterMs: 12_000 });
  const [ua, ub] = [await a.uuid(), await b.uuid()];
  await until('both announced', () => w.tap.played(ua).some((f) => f.includes('position-1')) && w.tap.played(ub).some((f) => f.includes('position-2')), 15_000);
  t.pass('the first caller hears position 1, the second position 2');
}, { world: { queues: [{ name: 'general', announceEverySec: 2, callbackKey: '' }, { name: 'enterprise' }, { name: 'elder', skill: 'general' }, { name: 'from110', skill: 'general' }] } });
