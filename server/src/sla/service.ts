// The SLA service: records call outcomes, answers snapshots, keeps the rolling-24 h alert and the
// metrics, and feeds the realtime layer. Storage, clock, logger, metrics and notifiers come in as
// arguments; nothing here knows about Redis, Fastify or Socket.IO.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CallRecord } from '../calls/call-record.ts';
import { alertChange, type AlertEvent, type AlertState } from './alert.ts';
import { measuresOf } from './measures.ts';
import { createSlaMetrics, type SlaMetrics } from './metrics.ts';
import { logNotifier, webhookNotifier, type AlertNotifier } from './notifiers.ts';
import { addCounters, classify, emptyCounters, outcomeOfCall, queueOfCall, sumOutcomes, type Outcome } from './outcome.ts';
import type { SlaSettings } from './settings.ts';
import { iso, type SlaSnapshot } from './snapshot.ts';
import { CENTER, queueScope, scopesOf, type Scope, type SlaStore } from './store.ts';
import { DAY_MS, INTERVAL_MS, dayIntervalStarts, dayStart, intervalStart, localDate } from './windows.ts';

export interface SlaServiceDeps {
  readonly store: SlaStore;
  readonly settings: SlaSettings;
  readonly logger: Logger;
  /** Wall clock, epoch ms. Default Date.now. */
  readonly now?: () => number;
  /** Registry for the hotline_sla_* metrics. Default: no metrics. */
  readonly registry?: Registry;
  /** Default: the log, plus the webhook when settings.webhookUrl is set. */
  readonly notifiers?: readonly AlertNotifier[];
}

export type SlaListener = (snapshot: SlaSnapshot) => void;

export interface SlaService {
  /** Record a call's outcome (the ACD calls this for callbacks and overflows). False if already recorded. */
  record(outcome: Outcome): Promise<boolean>;
  /**
   * The ACD's own decisions about a waiting call (a callback taken instead of waiting, an overflow
   * out): recorded at once, with the call's first t0 and first queue. False if not queued or already recorded.
   */
  recordDecision(call: Readonly<CallRecord>, kind: 'callback' | 'overflow', atUs: number): Promise<boolean>;
  /** Feed from the call registry's hooks: records the outcome once the call record decides it. */
  observeCall(call: Readonly<CallRecord>): void;
  snapshot(scope: Scope, atMs?: number): Promise<SlaSnapshot>;
  /** Re-evaluate every known scope: alerts, metrics, and one live update per scope. */
  evaluate(atMs?: number): Promise<SlaSnapshot[]>;
  /** Live feed: snapshots of scopes whose figures may have changed, throttled. Returns unsubscribe. */
  onUpdate(listener: SlaListener): () => void;
  /** Start the periodic evaluation (old calls leave the rolling window even when none arrive). */
  start(): void;
  /** Stop timers and wait for in-flight records and notifications. */
  stop(): Promise<void>;
}

const RECENT_LIMIT = 10_000;

export function createSlaService(deps: SlaServiceDeps): SlaService {
  const { store, settings } = deps;
  const log = deps.logger.child({ component: 'sla' });
  const now = deps.now ?? Date.now;
  const metrics: SlaMetrics | undefined = deps.registry ? createSlaMetrics(deps.registry) : undefined;
  const notifiers: readonly AlertNotifier[] = deps.notifiers ?? [
    logNotifier(log),
    ...(settings.webhookUrl ? [webhookNotifier({ url: settings.webhookUrl, secret: settings.webhookSecret, timeoutMs: settings.webhookTimeoutMs, log })] : []),
  ];
  const listeners = new Set<SlaListener>();
  const pending = new Set<Promise<unknown>>();
  // Calls this instance has recorded (or is recording): observeCall runs on every change of a call.
  const recorded = new Set<string>();
  const seenQueues = new Set<string>();
  let dirty = new Set<Scope>();
  let flushTimer: NodeJS.Timeout | undefined;
  let evalTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  const track = <T>(p: Promise<T>): Promise<T> => {
    const q = p.finally(() => pending.delete(q));
    pending.add(q);
    return q;
  };

  const remember = (callId: string): void => {
    recorded.add(callId);
    // Bounded memory: forget the oldest first (a Set iterates in insertion order); the store's
    // marker still refuses a second record.
    for (const old of recorded) {
      if (recorded.size <= RECENT_LIMIT) break;
      recorded.delete(old);
    }
  };

  async function snapshot(scope: Scope, atMs = now(), states?: Map<Scope, AlertState>): Promise<SlaSnapshot> {
    const day = dayStart(atMs);
    const starts = dayIntervalStarts(day, atMs);
    const [intervals, rolling, alerts] = await Promise.all([
      store.intervals(scope, starts),
      store.rollingOutcomes(scope, atMs * 1000, settings.rollingMs),
      states ? Promise.resolve(states) : store.alertStates(),
    ]);
    const current = intervals[intervals.length - 1] ?? emptyCounters();
    const todayCounters = intervals.reduce((sum, c) => addCounters(sum, c), emptyCounters());
    const iStart = intervalStart(atMs);
    const alert = alerts.get(scope);
    return {
      scope,
      at: iso(atMs),
      target: settings.target,
      thresholdSec: settings.thresholdSec,
      shortAbandonSec: settings.shortAbandonSec,
      minCounted: settings.minCounted,
      interval: { start: iso(iStart), end: iso(iStart + INTERVAL_MS), ...measuresOf(current) },
      today: { start: iso(day), end: iso(day + DAY_MS), date: localDate(atMs), ...measuresOf(todayCounters) },
      rolling24h: { start: iso(atMs - settings.rollingMs), end: iso(atMs), ...measuresOf(sumOutcomes(rolling, settings)) },
      alert: { firing: alert?.firing ?? false, since: alert ? iso(alert.sinceMs) : null },
    };
  }

  /** Judge the rolling rate; on a change this instance wins, notify. Returns the snapshot as it now stands. */
  async function judge(snap: SlaSnapshot, atMs: number, states: Map<Scope, AlertState>): Promise<SlaSnapshot> {
    const before = states.get(snap.scope);
    const change = alertChange(snap.alert.firing, snap.rolling24h, settings);
    let result = snap;
    if (change) {
      const next: AlertState = { firing: change === 'fired', sinceMs: atMs };
      // Only the instance whose compare-and-set succeeds notifies; the others just see the new state.
      const won = await store.changeAlert(snap.scope, next);
      const state = won ? next : ((await store.alertStates()).get(snap.scope) ?? next);
      result = { ...snap, alert: { firing: state.firing, since: iso(state.sinceMs) } };
      if (won) {
        metrics?.alertChanged(snap.scope, change);
        const event: AlertEvent = {
          event: change,
          scope: snap.scope,
          atMs,
          firedAtMs: change === 'fired' ? atMs : (before?.sinceMs ?? atMs),
          rate15s: snap.rolling24h.rate15s ?? 0,
          target: settings.target,
          counted: snap.rolling24h.counted,
          answeredWithin: snap.rolling24h.answeredWithin,
        };
        // Not awaited: a slow webhook must not hold up the live feed. stop() waits for it.
        for (const n of notifiers) void track(n.notify(event).catch((err: unknown) => log.error({ err }, 'SLA notifier failed')));
      }
    }
    metrics?.setRolling(snap.scope, snap.rolling24h);
    metrics?.setWindows(result);
    metrics?.setFiring(snap.scope, result.alert.firing);
    return result;
  }

  async function refresh(scopes: Iterable<Scope>, atMs: number): Promise<SlaSnapshot[]> {
    const states = await store.alertStates();
    const out: SlaSnapshot[] = [];
    for (const scope of scopes) {
      const snap = await judge(await snapshot(scope, atMs, states), atMs, states);
      out.push(snap);
      for (const l of listeners) {
        try {
          l(snap);
        } catch (err) {
          log.error({ err, scope }, 'SLA listener failed');
        }
      }
    }
    return out;
  }

  function flush(): void {
    flushTimer = undefined;
    const scopes = dirty;
    dirty = new Set();
    void track(refresh(scopes, now()).catch((err: unknown) => log.error({ err }, 'SLA update failed')));
  }

  async function record(o: Outcome): Promise<boolean> {
    remember(o.callId);
    seenQueues.add(o.queue);
    const add = classify(o, settings);
    const fresh = await track(store.record(o, add, now()));
    if (fresh) metrics?.outcome(o, add);
    if (fresh && !stopped) {
      for (const s of scopesOf(o)) dirty.add(s);
      flushTimer ??= setTimeout(flush, settings.updateThrottleMs);
    }
    return fresh;
  }

  async function evaluate(atMs = now()): Promise<SlaSnapshot[]> {
    const [queues, states] = await Promise.all([store.queues(), store.alertStates()]);
    const scopes = new Set<Scope>([CENTER, ...[...seenQueues, ...queues].map(queueScope), ...states.keys()]);
    return refresh(scopes, atMs);
  }

  return {
    record,
    async recordDecision(call, kind, atUs) {
      const queue = queueOfCall(call);
      if (call.queuedUs === undefined || queue === undefined) return false;
      return record({ callId: call.id, queue, t0Us: call.queuedUs, kind, atUs });
    },
    observeCall(call) {
      if (recorded.has(call.id)) return;
      const o = outcomeOfCall(call);
      if (!o) return;
      record(o).catch((err: unknown) => {
        // Not remembered, so the next change of the call (or its completion) tries again.
        recorded.delete(call.id);
        log.error({ err, callId: call.id }, 'SLA outcome not recorded');
      });
    },
    snapshot: (scope, atMs) => snapshot(scope, atMs),
    evaluate,
    onUpdate(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    start() {
      if (evalTimer || stopped) return;
      evalTimer = setInterval(() => {
        void track(evaluate().catch((err: unknown) => log.error({ err }, 'SLA evaluation failed')));
      }, settings.evaluateIntervalMs);
      evalTimer.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(evalTimer);
      clearTimeout(flushTimer);
      evalTimer = flushTimer = undefined;
      while (pending.size) await Promise.allSettled([...pending]);
    },
  };
}
