// Filed wrap-ups go on to the city's ticket (work order) system as JSON POSTs. Delivery runs in the
// background with a few attempts and growing pauses; the agent never waits for it. With a secret
// configured every attempt is signed with its time (webhook-signature.ts) so the receiver can tell
// our posts from anyone else's, and from a replay of one of ours.
import type { Logger } from 'pino';
import { basicAuthOf, signatureHeaders } from '../webhook-signature.ts';
import type { DeskCallFacts, StoredWrapUp } from '../store/desk-store.ts';
import type { TicketSink } from './desk.ts';

export interface TicketWebhookOptions {
  url: string;
  secret?: string;
  timeoutMs: number;
  attempts: number;
  log: Logger;
  /** Pause before retry n (1-based), ms. */
  backoffMs?: (attempt: number) => number;
  fetch?: typeof fetch;
  /** Wall clock (ms) for the signature's timestamp. */
  now?: () => number;
}

/** The body the ticket system receives. The caller number is unmasked: the ticket is about them. */
export interface TicketWebhookBody {
  type: 'wrap-up';
  wrapUp: StoredWrapUp;
  call?: DeskCallFacts;
}

export function ticketWebhook(opts: TicketWebhookOptions): TicketSink & { idle(): Promise<void> } {
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  const backoff = opts.backoffMs ?? ((n: number) => 1000 * 2 ** (n - 1));
  // The URL may carry a token: log only its host.
  const target = new URL(opts.url).host;
  const inflight = new Set<Promise<void>>();
  const endpoint = basicAuthOf(opts.url);

  async function deliver(body: string, callId: string): Promise<void> {
    for (let attempt = 1; attempt <= opts.attempts; attempt++) {
      // Signed per attempt: a retry is a delivery of its own, with its own time.
      const headers: Record<string, string> = { 'content-type': 'application/json', ...endpoint.headers, ...(opts.secret ? signatureHeaders(opts.secret, body, now()) : {}) };
      try {
        const res = await doFetch(endpoint.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(opts.timeoutMs) });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return void opts.log.info({ webhook: target, callId, attempt }, 'wrap-up sent to the ticket system');
        // A 4xx other than 429 will not get better by asking again.
        if (res.status < 500 && res.status !== 429) return void opts.log.error({ webhook: target, callId, status: res.status }, 'ticket system refused the wrap-up');
        opts.log.warn({ webhook: target, callId, status: res.status, attempt }, 'ticket system busy');
      } catch (err) {
        opts.log.warn({ webhook: target, callId, err, attempt }, 'ticket webhook failed');
      }
      if (attempt < opts.attempts) await new Promise((r) => setTimeout(r, backoff(attempt)));
    }
    opts.log.error({ webhook: target, callId, attempts: opts.attempts }, 'wrap-up not delivered to the ticket system (it stays in the wrap-up stream)');
  }

  return {
    send(wrapUp, call) {
      const body: TicketWebhookBody = { type: 'wrap-up', wrapUp, ...(call ? { call } : {}) };
      const p = deliver(JSON.stringify(body), wrapUp.callId).finally(() => inflight.delete(p));
      inflight.add(p);
    },
    async idle() {
      await Promise.all([...inflight]);
    },
  };
}
