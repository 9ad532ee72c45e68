// The ticket webhook: signed body, retries on 5xx / 429 / network errors, none on other 4xx.
import t from 'tap';
import pino from 'pino';
import { signature, ticketWebhook } from '../src/desk/ticket-webhook.ts';
import type { StoredWrapUp } from '../src/store/desk-store.ts';

const wrapUp: StoredWrapUp = { id: 'w1', callId: 'c1', agentId: '1001', category: 'complaint', summary: '噪音投诉', atMs: 1 };

function fakeFetch(replies: (number | 'error')[]) {
  const calls: { body: string; headers: Record<string, string> }[] = [];
  const fetch = (async (_url: string, init: RequestInit) => {
    calls.push({ body: String(init.body), headers: init.headers as Record<string, string> });
    const r = replies.shift() ?? 200;
    if (r === 'error') throw new Error('ECONNREFUSED');
    return new Response('{}', { status: r });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

const sink = (fetch: typeof globalThis.fetch, secret?: string) =>
  ticketWebhook({ url: 'http://tickets.example/in', timeoutMs: 1000, attempts: 3, log: pino({ level: 'silent' }), backoffMs: () => 1, fetch, ...(secret ? { secret } : {}) });

t.test('signed, and retried after a 503 and a network error', async (t) => {
  const f = fakeFetch([503, 'error', 201]);
  const s = sink(f.fetch, 'a-secret-of-16-chars');
  s.send(wrapUp, { callId: 'c1', callerNumber: '13800000000', line: 'main', createdMs: 0 });
  await s.idle();
  t.equal(f.calls.length, 3, 'three attempts');
  const body = JSON.parse(f.calls[0]!.body);
  t.match(body, { type: 'wrap-up', wrapUp: { callId: 'c1', category: 'complaint' }, call: { callerNumber: '13800000000' } });
  t.equal(f.calls[0]!.headers['x-hotline-signature'], signature('a-secret-of-16-chars', f.calls[0]!.body));
  t.ok(f.calls.every((c) => c.body === f.calls[0]!.body), 'the same body every time');
});

t.test('a 400 is not retried; no secret, no signature', async (t) => {
  const f = fakeFetch([400]);
  const s = sink(f.fetch);
  s.send(wrapUp, undefined);
  await s.idle();
  t.equal(f.calls.length, 1);
  t.equal(f.calls[0]!.headers['x-hotline-signature'], undefined);
});

t.test('gives up after the attempts', async (t) => {
  const f = fakeFetch(['error', 'error', 'error', 200]);
  const s = sink(f.fetch);
  s.send(wrapUp, undefined);
  await s.idle();
  t.equal(f.calls.length, 3);
});
