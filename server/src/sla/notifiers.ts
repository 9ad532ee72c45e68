// Where an alert change goes: the log always, a webhook when configured. A notifier never throws:
// an unreachable webhook is logged and the SLA service carries on.
import type { Logger } from 'pino';
import { basicAuthOf, signatureHeaders } from '../webhook-signature.ts';
import type { AlertEvent } from './alert.ts';

export interface AlertNotifier {
  notify(event: AlertEvent): Promise<void>;
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** warn when an alert fires, info when it resolves. */
export function logNotifier(log: Logger): AlertNotifier {
  return {
    async notify(e) {
      const fields = { scope: e.scope, rate15s: e.rate15s, target: e.target, counted: e.counted, firedAt: new Date(e.firedAtMs).toISOString() };
      if (e.event === 'fired') log.warn(fields, `SLA alert: rolling 24 h answered-in-threshold rate ${pct(e.rate15s)} below target ${pct(e.target)}`);
      else log.info({ ...fields, lastedSec: Math.round((e.atMs - e.firedAtMs) / 1000) }, `SLA alert resolved: rolling 24 h rate ${pct(e.rate15s)}`);
    },
  };
}

/** The JSON body POSTed to the webhook. */
export interface AlertWebhookBody {
  readonly event: 'sla.alert.fired' | 'sla.alert.resolved';
  readonly scope: string;
  readonly at: string;
  readonly firedAt: string;
  readonly window: 'rolling24h';
  readonly rate15s: number;
  readonly target: number;
  readonly counted: number;
  readonly answeredWithin: number;
}

export function webhookBody(e: AlertEvent): AlertWebhookBody {
  return {
    event: e.event === 'fired' ? 'sla.alert.fired' : 'sla.alert.resolved',
    scope: e.scope,
    at: new Date(e.atMs).toISOString(),
    firedAt: new Date(e.firedAtMs).toISOString(),
    window: 'rolling24h',
    rate15s: e.rate15s,
    target: e.target,
    counted: e.counted,
    answeredWithin: e.answeredWithin,
  };
}

export interface WebhookNotifierOptions {
  /** Validated by config (http/https URL). */
  url: string;
  /** Signs each POST with its time (webhook-signature.ts); absent: unsigned. */
  secret?: string | undefined;
  timeoutMs: number;
  log: Logger;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Wall clock (ms) for the signature's timestamp. */
  now?: () => number;
}

export function webhookNotifier(opts: WebhookNotifierOptions): AlertNotifier {
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  // The URL may carry a token in its query: log only where it goes, not the whole URL.
  const target = new URL(opts.url).host;
  const endpoint = basicAuthOf(opts.url);
  return {
    async notify(e) {
      try {
        const body = JSON.stringify(webhookBody(e));
        const res = await doFetch(endpoint.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...endpoint.headers, ...(opts.secret ? signatureHeaders(opts.secret, body, now()) : {}) },
          body,
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
        // Drain the body so the connection can be reused.
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) opts.log.warn({ webhook: target, status: res.status, scope: e.scope, event: e.event }, 'SLA alert webhook refused');
      } catch (err) {
        opts.log.warn({ webhook: target, err, scope: e.scope, event: e.event }, 'SLA alert webhook failed');
      }
    },
  };
}
