// The SLA service on a real Redis with a fake clock: snapshots of the three windows, the alert
// (fire once, resolve once, one notification across two instances) delivered to a real local
// webhook, the metrics, and the throttled live feed.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import type { CallRecord } from '../src/calls/call-record.ts';
import { createLogger } from '../src/log.ts';
import type { Outcome, OutcomeKind } from '../src/sla/outcome.ts';
import { createSlaService, type SlaService } from '../src/sla/service.ts';
import { slaSettings, type SlaSettingsInput } from '../src/sla/settings.ts';
import type { SlaSnapshot } from '../src/sla/snapshot.ts';
import { redisKeys } from '../src/store/keys.ts';
import { SlaRedisStore } from '../src/store/sla-store.ts';
import { verifySignature } from '../src/webhook-signature.ts';

const SEC = 1_000_000;
const bj = (local: string): number => Date.parse(`${local}+08:00`);
const o = (callId: string, kind: OutcomeKind, t0Ms: number, waitSec: number, queue = 'general'): Outcome => ({
  callId, queue, kind, t0Us: t0Ms * 1000, atUs: t0Ms * 1000 + waitSec * SEC,
});

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { logger: createLogger({ level: 'info' }, stream), lines };
}

/** A real HTTP server that records the JSON bodies POSTed to it. */
async function webhookServer(t: Test, status = 200) {
  const bodies: Record<string, unknown>[] = [];
  const raw: { body: string; headers: Record<string, string | undefined> }[] = [];
  const read = async (req: IncomingMessage): Promise<string> => {
    let s = '';
    for await (const chunk of req) s += String(chunk);
    return s;
  };
  const server = createServer((req, res) => {
    void read(req).then((body) => {
      bodies.push({ method: req.method, contentType: req.headers['content-type'], ...JSON.parse(body) });
      raw.push({ body, headers: req.headers as Record<string, string | undefined> });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/sla?token=s3cret`, bodies, raw };
}

async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const m = registry.getSingleMetric(name);
  if (!m) return undefined;
  const { values } = await m.get();
  return values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
}

t.test('the SLA service', async (t) => {
  const r = await withRedis(t);
  const clients: Redis[] = [];
  t.teardown(() => Promise.all(clients.map((c) => c.quit())));
  let n = 0;

  /** One service instance; `shared` gives a second instance on the same Redis keys. */
  function service(t: Test, opts: { prefix?: string; settings?: Partial<SlaSettingsInput>; clock: { ms: number } }) {
    const redis = new Redis(r.url);
    clients.push(redis);
    const { logger, lines } = capture();
    const registry = new Registry();
    const sla: SlaService = createSlaService({
      store: new SlaRedisStore(redis, redisKeys(opts.prefix ?? `svc${++n}`)),
      settings: slaSettings({ thresholdSec: 15, shortAbandonSec: 5, target: 0.95, updateThrottleMs: 0, ...opts.settings }),
      logger,
      now: () => opts.clock.ms,
      registry,
    });
    t.teardown(() => sla.stop());
    return { sla, lines, registry };
  }

  t.test('snapshot: interval, Beijing day and rolling 24 h around midnight', async (t) => {
    const clock = { ms: bj('2026-11-23T00:10:00') };
    const { sla } = service(t, { clock });
    await sla.record(o('yesterday-late', 'answered', bj('2026-11-22T23:59:59.999'), 10));
    await sla.record(o('midnight', 'answered', bj('2026-11-23T00:00:00.000'), 20));
    await sla.record(o('short', 'abandoned', bj('2026-11-23T00:01:00'), 5));
    await sla.record(o('abandon', 'abandoned', bj('2026-11-23T00:02:00'), 5.001));
    await sla.record(o('two-days-ago', 'answered', bj('2026-11-22T00:09:59.999'), 1));
    const s = await sla.snapshot('center');
    t.match(s, { scope: 'center', at: '2026-11-22T16:10:00.000Z', target: 0.95, thresholdSec: 15, shortAbandonSec: 5, alert: { firing: false, since: null } });
    t.match(s.interval, { start: '2026-11-22T16:00:00.000Z', end: '2026-11-22T16:15:00.000Z', offered: 3, counted: 2, shortAbandons: 1, answered: 1, answeredWithin: 0, abandoned: 1, rate15s: 0, answerRate: 0.5, asaSec: 20, avgAbandonSec: 5.001 });
    t.match(s.today, { date: '2026-11-23', start: '2026-11-22T16:00:00.000Z', offered: 3 }, '23:59:59.999 belongs to the day before');
    t.match(s.rolling24h, { start: '2026-11-21T16:10:00.000Z', end: '2026-11-22T16:10:00.000Z', offered: 4, counted: 3, answered: 2, answeredWithin: 1 }, 'rolling holds yesterday evening, not 24 h + 1 ms ago');
    const y = await sla.snapshot('center', bj('2026-11-22T23:59:59.999'));
    t.match(y.today, { date: '2026-11-22', offered: 2 }, 'a past `at` reads that day');
    t.match((await sla.snapshot('queue:general')).today, { offered: 3 }, 'the queue scope');
    t.match((await sla.snapshot('queue:none')).rolling24h, { offered: 0, rate15s: null }, 'an unknown queue is empty, not an error');
  });

  t.test('alert: fires once, notifies once across two instances, resolves once; webhook, log and metrics', async (t) => {
    const hook = await webhookServer(t);
    const clock = { ms: bj('2026-11-22T10:00:00') };
    const prefix = `alert${++n}`;
    const settings = { alertMinCounted: 20, alertWebhookUrl: hook.url, alertWebhookSecret: 'sla-webhook-secret-0123' };
    const one = service(t, { prefix, settings, clock });
    const two = service(t, { prefix, settings, clock });
    // 19 answered within 15 s: below the minimum count, nothing is judged yet (and 18/19 < 95%).
    for (let i = 0; i < 18; i++) await one.sla.record(o(`a${i}`, 'answered', clock.ms - 3_600_000 + i * 1000, 3));
    await one.sla.record(o('slow', 'answered', clock.ms - 3_000_000, 16));
    await Promise.all([one.sla.evaluate(), two.sla.evaluate()]);
    t.equal((await one.sla.snapshot('center')).alert.firing, false, '19 counted calls: not judged');
    // The 20th: 18/20 = 90%.
    await two.sla.record(o('gone', 'abandoned', clock.ms - 2_000_000, 30));
    clock.ms += 1000;
    const [s1, s2] = await Promise.all([one.sla.evaluate(), two.sla.evaluate()]);
    t.match(s1!.find((s) => s.scope === 'center'), { rolling24h: { counted: 20, rate15s: 0.9 }, alert: { firing: true, since: new Date(clock.ms).toISOString() } });
    t.match(s2!.find((s) => s.scope === 'center'), { alert: { firing: true } }, 'the other instance sees it firing too');
    await Promise.all([one.sla.stop(), two.sla.stop()]);
    t.same(hook.bodies.map((b) => [b.event, b.scope]).sort(), [['sla.alert.fired', 'center'], ['sla.alert.fired', 'queue:general']], 'one webhook per scope, not one per instance');
    t.match(hook.bodies.find((b) => b.scope === 'center'), {
      method: 'POST', contentType: 'application/json', window: 'rolling24h', rate15s: 0.9, target: 0.95, counted: 20, answeredWithin: 18, at: new Date(clock.ms).toISOString(),
    });
    for (const { body, headers } of hook.raw) t.same(verifySignature('sla-webhook-secret-0123', headers, body, Date.now()), { ok: true }, 'signed with its time, like the ticket webhook');
    const fired = [...one.lines, ...two.lines].filter((l) => l.scope === 'center' && String(l.msg).startsWith('SLA alert:'));
    t.equal(fired.length, 1, 'logged once');
    t.match(fired[0], { level: 40, rate15s: 0.9, msg: /90\.0% below target 95\.0%/ });
    t.notMatch(JSON.stringify([...one.lines, ...two.lines]), /s3cret/, 'the webhook token is never logged');
    const firedTotal = (await metricValue(one.registry, 'hotline_sla_alerts_total', { scope: 'center', event: 'fired' })) ?? 0;
    const firedTotal2 = (await metricValue(two.registry, 'hotline_sla_alerts_total', { scope: 'center', event: 'fired' })) ?? 0;
    t.equal(firedTotal + firedTotal2, 1, 'the change is counted by the instance that notified it');
    t.equal(await metricValue(one.registry, 'hotline_sla_rate15s', { scope: 'center' }), 0.9);
    t.equal(await metricValue(two.registry, 'hotline_sla_alert_firing', { scope: 'center' }), 1);
    t.equal(await metricValue(one.registry, 'hotline_sla_counted_calls', { scope: 'queue:general' }), 20);

    // Still low: no second notification (hysteresis), on either instance.
    const again = service(t, { prefix, settings, clock });
    await again.sla.record(o('more-bad', 'abandoned', clock.ms - 1_000_000, 40));
    clock.ms += 1000;
    await again.sla.evaluate();
    await again.sla.stop();
    t.equal(hook.bodies.length, 2, 'no repeat while firing');

    // 20 more answered within 15 s: 38/41 = 92.7%, still below.
    for (let i = 0; i < 20; i++) await again.sla.record(o(`b${i}`, 'answered', clock.ms - 900_000 + i * 1000, 2));
    clock.ms += 1000;
    const low = (await again.sla.evaluate()).find((s) => s.scope === 'center')!;
    t.match(low, { rolling24h: { counted: 41, answeredWithin: 38 }, alert: { firing: true } }, 'still firing');
    for (let i = 0; i < 19; i++) await again.sla.record(o(`c${i}`, 'answered', clock.ms - 600_000 + i * 1000, 2));
    // 60 counted, 57 within: exactly 95%.
    const resolvedAt = (clock.ms += 1000);
    const ok = (await again.sla.evaluate()).find((s) => s.scope === 'center')!;
    t.match(ok, { rolling24h: { counted: 60, answeredWithin: 57, rate15s: 0.95 }, alert: { firing: false } }, 'at the target: resolved');
    await again.sla.evaluate();
    await again.sla.stop();
    const resolved = hook.bodies.filter((b) => b.event === 'sla.alert.resolved');
    t.same(resolved.map((b) => b.scope).sort(), ['center', 'queue:general'], 'resolved once per scope');
    t.match(resolved.find((b) => b.scope === 'center'), { at: new Date(resolvedAt).toISOString(), firedAt: String, rate15s: 0.95 });
    t.match(again.lines.find((l) => l.scope === 'center' && String(l.msg).startsWith('SLA alert resolved')), { level: 30 });
    t.equal(await metricValue(again.registry, 'hotline_sla_alert_firing', { scope: 'center' }), 0);
    t.equal(await metricValue(again.registry, 'hotline_sla_alerts_total', { scope: 'center', event: 'resolved' }), 1);
  });

  t.test('the rolling window moves with the clock: bad calls age out and the alert resolves without new calls', async (t) => {
    const clock = { ms: bj('2026-11-22T10:00:00') };
    const { sla } = service(t, { clock, settings: { alertMinCounted: 2 } });
    await sla.record(o('bad', 'abandoned', clock.ms - 60_000, 30));
    await sla.record(o('good1', 'answered', clock.ms + 3_600_000, 1));
    await sla.record(o('good2', 'answered', clock.ms + 3_600_000 + 1, 1));
    clock.ms += 2 * 3_600_000;
    t.match((await sla.evaluate())[0], { scope: 'center', alert: { firing: true } }, '2/3 answered in time');
    clock.ms = bj('2026-11-22T10:00:00') - 60_000 + 86_400_000; // exactly 24 h after the bad call's t0
    t.match((await sla.evaluate())[0], { rolling24h: { counted: 2, rate15s: 1 }, alert: { firing: false } }, 'out of (at - 24 h, at]');
  });

  t.test('a webhook that fails is logged, never thrown', async (t) => {
    const refusing = await webhookServer(t, 500);
    const clock = { ms: bj('2026-11-22T10:00:00') };
    const { sla, lines } = service(t, { clock, settings: { alertMinCounted: 1, alertWebhookUrl: refusing.url } });
    await sla.record(o('x', 'abandoned', clock.ms - 60_000, 30));
    await sla.evaluate();
    const dead = service(t, { clock, settings: { alertMinCounted: 1, alertWebhookUrl: 'http://127.0.0.1:1/hook', alertWebhookTimeoutMs: 500 } });
    await dead.sla.record(o('y', 'abandoned', clock.ms - 60_000, 30));
    await dead.sla.evaluate();
    await Promise.all([sla.stop(), dead.sla.stop()]);
    t.equal(refusing.bodies.length, 2, 'delivered (center and queue), but refused');
    t.match(lines.find((l) => l.msg === 'SLA alert webhook refused'), { level: 40, status: 500, webhook: /^127\.0\.0\.1:\d+$/ });
    t.match(dead.lines.find((l) => l.msg === 'SLA alert webhook failed'), { level: 40, err: Object });
  });

  t.test('live feed: throttled snapshots of the changed scopes', async (t) => {
    const clock = { ms: bj('2026-11-22T10:05:00') };
    const { sla } = service(t, { clock, settings: { updateThrottleMs: 100 } });
    const got: SlaSnapshot[] = [];
    const off = sla.onUpdate((s) => got.push(s));
    sla.onUpdate(() => {
      throw new Error('a broken listener does not stop the others');
    });
    await Promise.all(Array.from({ length: 5 }, (_, i) => sla.record(o(`f${i}`, 'answered', clock.ms - 60_000 + i, 3, i < 3 ? 'general' : 'enterprise'))));
    t.equal(got.length, 0, 'nothing before the throttle delay');
    await new Promise((r) => setTimeout(r, 300));
    t.same(got.map((s) => s.scope).sort(), ['center', 'queue:enterprise', 'queue:general'], 'one update per changed scope for five records');
    t.match(got.find((s) => s.scope === 'center'), { rolling24h: { answered: 5 }, interval: { answered: 5 } });
    off();
    await sla.record(o('f9', 'answered', clock.ms - 60_000, 3));
    await new Promise((r) => setTimeout(r, 300));
    t.equal(got.length, 3, 'unsubscribed');
  });

  t.test('observeCall: one outcome per call; a callback recorded by the ACD wins over the hang-up after it', async (t) => {
    const clock = { ms: bj('2026-11-22T10:00:00') };
    const { sla } = service(t, { clock });
    const t0Us = (clock.ms - 60_000) * 1000;
    const call = (id: string, extra: Partial<CallRecord>): CallRecord => ({
      id, node: 'fs1', line: 'main', callerNumber: '13800138000', callerName: '', destination: '12345', state: 'ended',
      legs: [{ uuid: id, role: 'caller', createdUs: t0Us - 5 * SEC, lastSeq: 1, endedUs: t0Us + 40 * SEC }],
      createdUs: t0Us - 5 * SEC, queuedUs: t0Us, queue: 'general', endedUs: t0Us + 40 * SEC, ivrPath: [], flags: [], transfers: [], held: false, holdSeq: 0, ...extra,
    });
    const moved = call('cb', { queue: 'enterprise', transfers: [{ atUs: t0Us + 10 * SEC, kind: 'queue', from: 'general', to: 'enterprise' }] });
    t.equal(await sla.recordDecision(moved, 'callback', t0Us + 20 * SEC), true, 'the ACD takes a callback request');
    t.equal(await sla.recordDecision(call('never', { queuedUs: undefined }), 'overflow', t0Us), false, 'a call that never reached t0 has no outcome');
    sla.observeCall(moved);
    sla.observeCall(call('ab', {}));
    sla.observeCall(call('ab', {}));
    await sla.stop();
    t.match((await sla.snapshot('center')).rolling24h, { offered: 2, callbacks: 1, abandoned: 1, avgAbandonSec: 40 });
    t.match((await sla.snapshot('queue:general')).rolling24h, { offered: 2, callbacks: 1 }, 'the callback counts in the first queue');
  });
});
