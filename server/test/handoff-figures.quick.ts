// The two-way diversion figures (双向分流) for a scripted day, both directions and several partners:
// partner calls transferred in (announced or not, answered after a wait, taken back, never
// answered), calls 12345's agents and IVR transferred out to partners (connected or failed, by
// number or by gateway, and to departments that are no partner), three-way calls the xfer side
// records. Every figure the REST API gives (JSON and CSV) equals the count this test keeps itself.
import t from 'tap';
import { Redis } from 'ioredis';
import pino from 'pino';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { buildApp } from '../src/app.ts';
import type { CallRecord, TransferRecord } from '../src/calls/call-record.ts';
import { loadConfig } from '../src/config.ts';
import { announceSchema } from '../src/handoff/handoff.ts';
import { partnerOfTransfer } from '../src/handoff/diversion.ts';
import { DEFAULT_PARTNERS, partnersSchema } from '../src/handoff/partners.ts';
import { HandoffService } from '../src/handoff/service.ts';
import { createLogger } from '../src/log.ts';
import { createMetricsRegistry } from '../src/plugins/app/metrics.ts';
import { HandoffStore } from '../src/store/handoff-store.ts';
import { redisKeys } from '../src/store/keys.ts';
import { bearer, demoAuth } from './helpers/tokens.ts';

const DAY0 = Date.parse('2026-12-06T00:30:00Z'); // 08:30 in Beijing
const DAY = '2026-12-06';
const partners = partnersSchema.parse(DEFAULT_PARTNERS);
const dayOf = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

type Dir = { announced: number; transferred: number; accepted: number; returned: number; threeWay: number; answerMs: number; timed: number };
const zero = (): Dir => ({ announced: 0, transferred: 0, accepted: 0, returned: 0, threeWay: 0, answerMs: 0, timed: 0 });

/** A call record with only what the handoff service reads. */
function record(id: string, line: string, atMs: number, extra: Partial<CallRecord> = {}): CallRecord {
  const us = atMs * 1000;
  return { id, node: 'fs1', line, callerNumber: '13800000001', callerName: '', destination: '12345', state: 'ended', legs: [{ uuid: id, role: 'caller', createdUs: us, lastSeq: 0 }], createdUs: us, ivrPath: [], flags: [], transfers: [], held: false, holdSeq: 0, ...extra };
}

const settle = () => new Promise((r) => setTimeout(r, 30));

t.test('which partner a transfer record went to', async (t) => {
  const of = (kind: TransferRecord['kind'], to: string) => partnerOfTransfer(partners, { kind, to })?.id;
  t.equal(of('blind', 'number:119'), '119', "an agent's external transfer to the partner's number");
  t.equal(of('attended', 'number:12388'), '12388');
  t.equal(of('blind', '120'), '120', 'the IVR names the bare number');
  t.equal(of('blind', 'sofia/gateway/gw_122/88880122'), '122', 'a dial string through the partner gateway');
  t.equal(of('to110', 'number:02188880110'), '110', 'a to-110 transfer is 110s whatever the number');
  t.equal(of('blind', 'number:02162345678'), undefined, 'a department is no partner');
  t.equal(of('blind', 'agent:1002'), undefined);
  t.equal(of('queue', 'queue:from110'), undefined, 'the from110 queue is not 110');
});

t.test('diversion figures for a scripted day equal the counts the test keeps', async (t) => {
  const r = await withRedis(t);
  const redis = new Redis(r.url);
  t.teardown(() => redis.quit());
  let clock = DAY0;
  let n = 0;
  const svc = new HandoffService({
    partners, settings: { matchWindowSec: 300, answerWarnSec: 30 }, store: new HandoffStore(redis, redisKeys('fig')), now: () => clock, newId: () => `h${++n}`, dayOf,
    logger: pino({ level: 'silent' }), positionOf: async () => 1, returnCall: async () => undefined,
  });
  const want = new Map<string, { in: Dir; out: Dir }>(partners.map((p) => [p.id, { in: zero(), out: zero() }]));
  const w = (p: string) => want.get(p)!;
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

  // 120 events spread over the day (08:30 to about 20:30 Beijing time).
  for (let i = 0; i < 120; i++) {
    clock += 60_000 + Math.floor(rnd() * 300_000);
    const kind = rnd();
    const p = pick(partners);
    if (kind < 0.5) {
      // In: a partner's caller transferred to 12345.
      const announced = p.preAnnounce && rnd() < 0.8;
      const number = `1390000${String(1000 + i)}`;
      if (announced) {
        await svc.announce(announceSchema.parse({ partner: p.id, caseId: `C${i}`, callerNumber: number, category: '咨询', summary: '非警情', dispatcherName: '值班员', dispatcherCallback: '02188880000' }), `dispatcher:d${p.id}`);
        w(p.id).in.announced++;
        clock += 10_000;
      }
      const m = await svc.match({ callId: `in${i}`, line: p.line, callerNumber: number, ...(announced && rnd() < 0.5 ? { caseId: `C${i}` } : {}), queue: 'from110' });
      w(p.id).in.transferred++;
      const fate = rnd();
      if (fate < 0.15) {
        await svc.takeBack(m!.handoff.id);
        w(p.id).in.returned++;
      } else if (fate < 0.85) {
        const wait = 1_000 + Math.floor(rnd() * 30_000);
        clock += wait;
        const agent = { uuid: `in${i}-a`, role: 'agent' as const, purpose: 'offer' as const, agentId: '1001', createdUs: clock * 1000, lastSeq: 0 };
        const answered = record(`in${i}`, p.line, clock, { state: 'talking', legs: [agent], connectedUs: clock * 1000, agentId: '1001' });
        svc.onCall(answered);
        svc.onCall(answered); // a second instance seeing the same answer counts nothing more
        await settle();
        w(p.id).in.accepted++;
        w(p.id).in.answerMs += wait;
        w(p.id).in.timed++;
        if (rnd() < 0.2) {
          await svc.recordThreeWay(p.id, dayOf(clock), 'in');
          w(p.id).in.threeWay++;
        }
      }
      // Else: nobody answered before the caller hung up (transferred, not accepted).
    } else if (kind < 0.9) {
      // Out: an ordinary call an agent (or the IVR) transferred to the partner, or to a department.
      const toDept = rnd() < 0.2;
      const failed = rnd() < 0.2;
      const byGateway = rnd() < 0.3;
      const to = toDept ? 'number:02162345678' : byGateway ? `sofia/gateway/${p.gateway}/${p.number}` : pick([`number:${p.number}`, p.number]);
      const atUs = clock * 1000;
      const answerMs = 2_000 + Math.floor(rnd() * 10_000);
      const timed = !failed && rnd() < 0.7;
      const legs: CallRecord['legs'] = [{ uuid: `out${i}`, role: 'caller', createdUs: atUs - 60_000_000, lastSeq: 0 }];
      if (timed) legs.push({ uuid: `out${i}-x`, role: 'external', target: toDept ? 'sofia/gateway/gw_pstn/02162345678' : `sofia/gateway/${p.gateway}/${p.number}`, createdUs: atUs, answeredUs: atUs + answerMs * 1000, lastSeq: 0 });
      const transfers: TransferRecord[] = [{ atUs, kind: p.id === '110' && rnd() < 0.5 ? 'to110' : 'blind', from: '1001', to, ...(failed ? { failed: 'NO_ANSWER' } : {}) }];
      clock += 90_000;
      await svc.recordCallOut(record(`out${i}`, 'main', clock, { legs, transfers, endedUs: clock * 1000 }));
      const partnerOut = toDept ? (transfers[0]!.kind === 'to110' ? '110' : undefined) : p.id;
      if (partnerOut) {
        const o = w(partnerOut).out;
        o.transferred++;
        if (failed) o.returned++;
        else {
          o.accepted++;
          if (timed && !toDept) {
            o.answerMs += answerMs;
            o.timed++;
          }
        }
      }
    } else {
      await svc.recordThreeWay(p.id, dayOf(clock));
      w(p.id).out.threeWay++;
    }
  }
  t.equal(dayOf(clock), DAY, 'the script stayed within one day');
  // The next day's calls count on the next day.
  await svc.recordThreeWay('119', '2026-12-07');
  await t.rejects(svc.recordThreeWay('999', DAY), { code: 'not-found' }, 'only configured partners');

  const auth = await demoAuth();
  const app = await buildApp({
    config: loadConfig({ env: {} }), logger: createLogger({ level: 'silent' }),
    deps: { metrics: createMetricsRegistry(), readiness: { freeswitch: () => [], redis: async () => true }, auth, handoffs: { handoffs: svc, partners, now: () => clock, today: () => dayOf(clock) } },
  });
  t.teardown(() => app.close());
  const sv = await bearer(auth, 'supervisor');
  const res = await app.inject({ url: `/api/handoffs/figures?day=${DAY}`, headers: sv });
  t.equal(res.statusCode, 200);
  const body = res.json() as { day: string; figures: { partner: string; in: Record<string, unknown>; out: Record<string, unknown> }[] };
  const mean = (d: Dir) => (d.timed ? Math.round(d.answerMs / d.timed) / 1000 : null);
  const expect = (d: Dir) => ({ announced: d.announced, transferred: d.transferred, accepted: d.accepted, returned: d.returned, threeWay: d.threeWay, meanAnswerSec: mean(d) });
  t.same(body.figures.map((f) => f.partner), partners.map((p) => p.id), 'a supervisor sees every partner');
  for (const f of body.figures) {
    t.same(f.in, expect(w(f.partner).in), `${f.partner} in`);
    t.same(f.out, expect(w(f.partner).out), `${f.partner} out`);
  }
  const totals = [...want.values()].reduce((a, x) => a + x.in.transferred + x.out.transferred + x.out.threeWay, 0);
  t.ok(totals > 80, `the script exercised the figures (${totals} events counted)`);

  const csv = await app.inject({ url: `/api/handoffs/figures?day=${DAY}&format=csv`, headers: sv });
  t.match(csv.headers['content-type'], /^text\/csv/);
  const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
  t.equal(lines[0], 'partner,day,direction,announced,transferred,accepted,returned,three_way,mean_answer_sec');
  const rows = lines.slice(1);
  t.equal(rows.length, partners.length * 2, 'one row per partner and direction');
  for (const p of partners) {
    for (const d of ['in', 'out'] as const) {
      const x = w(p.id)[d];
      t.ok(rows.includes([p.id, DAY, d, x.announced, x.transferred, x.accepted, x.returned, x.threeWay, mean(x) ?? ''].join(',')), `CSV row ${p.id} ${d}`);
    }
  }

  // A 119 dispatcher sees 119's figures only; the next day holds only what happened on it.
  const d119 = await bearer(auth, 'dispatcher119');
  const next = (await app.inject({ url: '/api/handoffs/figures?day=2026-12-07', headers: d119 })).json() as typeof body;
  t.same(next.figures.map((f) => f.partner), ['119']);
  t.same(next.figures[0]?.out, { announced: 0, transferred: 0, accepted: 0, returned: 0, threeWay: 1, meanAnswerSec: null });
  t.equal((await app.inject({ url: '/api/handoffs/figures?day=2026-13-01', headers: d119 })).statusCode, 400, 'a bad day is refused');
});
