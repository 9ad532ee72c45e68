// The ticket webhook: signed with its time (replays refused by the receiver's window), retried on
// 5xx / 429 / network errors, none on other 4xx.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import pino from 'pino';
import { ticketWebhook } from '../src/desk/ticket-webhook.ts';
import type { StoredWrapUp } from '../src/store/desk-store.ts';
import { REPLAY_WINDOW_SEC, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../src/webhook-signature.ts';
import { REPO } from './helpers/fsim.ts';

const wrapUp: StoredWrapUp = { id: 'w1', callId: 'c1', agentId: '1001', category: 'complaint', summary: '噪音投诉', atMs: 1 };
const SECRET = 'a-secret-of-16-chars';

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

const sink = (fetch: typeof globalThis.fetch, opts: { secret?: string; now?: () => number } = {}) =>
  ticketWebhook({ url: 'http://tickets.example/in', timeoutMs: 1000, attempts: 3, log: pino({ level: 'silent' }), backoffMs: () => 1, fetch, ...opts });

t.test('signed with its time, and retried after a 503 and a network error', async (t) => {
  const f = fakeFetch([503, 'error', 201]);
  let now = 1_800_000_000_000;
  const s = sink(f.fetch, { secret: SECRET, now: () => (now += 1000) });
  s.send(wrapUp, { callId: 'c1', callerNumber: '13800000000', line: 'main', createdMs: 0 });
  await s.idle();
  t.equal(f.calls.length, 3, 'three attempts');
  const body = JSON.parse(f.calls[0]!.body);
  t.match(body, { type: 'wrap-up', wrapUp: { callId: 'c1', category: 'complaint' }, call: { callerNumber: '13800000000' } });
  t.ok(f.calls.every((c) => c.body === f.calls[0]!.body), 'the same body every time');
  const stamps = f.calls.map((c) => c.headers[TIMESTAMP_HEADER]);
  t.same(stamps, ['1800000001', '1800000002', '1800000003'], 'each attempt is signed at its own time');
  for (const c of f.calls) t.same(verifySignature(SECRET, c.headers, c.body, Number(c.headers[TIMESTAMP_HEADER]) * 1000), { ok: true });
});

const sentAt = 1_800_000_000_000;

/** One signed delivery made at `at`, as the receiver gets it. */
async function oneDelivery(at: number): Promise<{ headers: Record<string, string>; body: string }> {
  const f = fakeFetch([200]);
  const s = sink(f.fetch, { secret: SECRET, now: () => at });
  s.send(wrapUp, undefined);
  await s.idle();
  return f.calls[0]!;
}

t.test('a captured delivery replayed after the window is refused; a moved timestamp breaks the signature', async (t) => {
  const { headers, body } = await oneDelivery(sentAt);
  t.same(verifySignature(SECRET, headers, body, sentAt + 2_000), { ok: true }, 'fresh: accepted');
  t.same(verifySignature(SECRET, headers, body, sentAt + (REPLAY_WINDOW_SEC + 1) * 1000), { ok: false, reason: 'stale' }, 'replayed later: refused');
  const moved = { ...headers, [TIMESTAMP_HEADER]: String(sentAt / 1000 + 3600) };
  t.same(verifySignature(SECRET, moved, body, sentAt + 3600_000), { ok: false, reason: 'mismatch' }, 'the timestamp is inside the signed content');
  t.same(verifySignature(SECRET, headers, body.replace('噪音', '好评'), sentAt), { ok: false, reason: 'mismatch' }, 'the body is signed');
  t.same(verifySignature('another-secret-16+', headers, body, sentAt), { ok: false, reason: 'mismatch' });
  const { [TIMESTAMP_HEADER]: _dropped, ...noStamp } = headers;
  t.same(verifySignature(SECRET, noStamp, body, sentAt), { ok: false, reason: 'missing' }, 'a signature without a timestamp (the old format) is refused');
});

t.test('a 400 is not retried; no secret, no signature', async (t) => {
  const f = fakeFetch([400]);
  const s = sink(f.fetch);
  s.send(wrapUp, undefined);
  await s.idle();
  t.equal(f.calls.length, 1);
  t.equal(f.calls[0]!.headers[SIGNATURE_HEADER], undefined);
  t.equal(f.calls[0]!.headers[TIMESTAMP_HEADER], undefined);
});

t.test('gives up after the attempts', async (t) => {
  const f = fakeFetch(['error', 'error', 'error', 200]);
  const s = sink(f.fetch);
  s.send(wrapUp, undefined);
  await s.idle();
  t.equal(f.calls.length, 3);
});

t.test("README's verification snippet accepts our deliveries and refuses a replay", async (t) => {
  const readme = await readFile(path.join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Webhooks: verifying a signature'));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  t.ok(code, 'the README shows the receiver code');
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'readme-')), 'verify.mjs');
  await writeFile(file, code!);
  const { verifyHotline } = (await import(file)) as { verifyHotline: (s: string, h: Record<string, string>, b: string, now?: number) => boolean };
  const { headers, body } = await oneDelivery(sentAt);
  t.equal(verifyHotline(SECRET, headers, body, sentAt + 1000), true, 'a fresh delivery verifies');
  t.equal(verifyHotline(SECRET, headers, body, sentAt + 301_000), false, 'a replay after the window does not');
  t.equal(verifyHotline(SECRET, headers, `${body} `, sentAt), false, 'a changed body does not');
});
