// The outcome of a partner's transfer goes back to the partner's system as a signed JSON POST
// (webhook-signature.ts: the timestamp is inside the signed content), retried a few times in the
// background. The body carries the case, who answered and the wrap-up: what the dispatcher sees.
import type { Logger } from 'pino';
import { basicAuthOf, signatureHeaders } from '../webhook-signature.ts';
import type { Handoff } from './handoff.ts';
import type { Partner } from './partners.ts';

export interface OutcomeBody {
  type: 'handoff-outcome';
  handoff: Pick<Handoff, 'id' | 'partner' | 'caseId' | 'state' | 'answeredBy' | 'answeredMs' | 'endedMs' | 'outcome'>;
}

export function outcomeWebhook(opts: { log: Logger; now: () => number; timeoutMs?: number; attempts?: number; fetch?: typeof fetch }) {
  const doFetch = opts.fetch ?? fetch;
  const inflight = new Set<Promise<void>>();
  async function deliver(url: string, secret: string | undefined, body: string, handoffId: string): Promise<void> {
    const endpoint = basicAuthOf(url);
    const target = new URL(url).host;
    for (let attempt = 1; attempt <= (opts.attempts ?? 3); attempt++) {
      const headers = { 'content-type': 'application/json', ...endpoint.headers, ...(secret ? signatureHeaders(secret, body, opts.now()) : {}) };
      try {
        const res = await doFetch(endpoint.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 5000) });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return void opts.log.info({ webhook: target, handoffId, attempt }, 'handoff outcome sent to the partner');
        if (res.status < 500 && res.status !== 429) return void opts.log.error({ webhook: target, handoffId, status: res.status }, 'partner refused the handoff outcome');
      } catch (err) {
        opts.log.warn({ webhook: target, handoffId, err, attempt }, 'handoff outcome webhook failed');
      }
      await new Promise((r) => setTimeout(r, 1000 * attempt));
    }
    opts.log.error({ webhook: target, handoffId }, 'handoff outcome not delivered (the console still shows it)');
  }
  return {
    send(h: Handoff, partner: Partner): void {
      if (!partner.outcomeWebhookUrl) return;
      const body: OutcomeBody = {
        type: 'handoff-outcome',
        handoff: { id: h.id, partner: h.partner, caseId: h.caseId, state: h.state, ...(h.answeredBy ? { answeredBy: h.answeredBy } : {}), ...(h.answeredMs ? { answeredMs: h.answeredMs } : {}), ...(h.endedMs ? { endedMs: h.endedMs } : {}), ...(h.outcome ? { outcome: h.outcome } : {}) },
      };
      const p = deliver(partner.outcomeWebhookUrl, partner.outcomeWebhookSecret, JSON.stringify(body), h.id).finally(() => inflight.delete(p));
      inflight.add(p);
    },
    async idle(): Promise<void> {
      await Promise.all([...inflight]);
    },
  };
}
