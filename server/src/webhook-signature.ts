// How our webhooks (wrap-ups to the ticket system, SLA alerts) prove who sent them and when, in
// the style of Stripe's: the sending time is inside the signed content, so a captured request
// cannot be replayed later with a valid signature.
//
//   X-Hotline-Timestamp: <unix seconds at signing>
//   X-Hotline-Signature: sha256=<hex HMAC-SHA256 of `${timestamp}.${body}` with the shared secret>
//
// A receiver recomputes the HMAC over the timestamp header, a dot and the raw body, compares in
// constant time, and refuses a timestamp more than REPLAY_WINDOW_SEC away from its own clock
// (README "Verifying a webhook"). Each retry is signed afresh with its own timestamp.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-hotline-timestamp';
export const SIGNATURE_HEADER = 'x-hotline-signature';
/** What receivers are told to accept: timestamps within 5 minutes of their clock. */
export const REPLAY_WINDOW_SEC = 300;

const hmac = (secret: string, timestamp: string, body: string): string => createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/** The two headers for one delivery of `body`, signed at `nowMs`. */
export function signatureHeaders(secret: string, body: string, nowMs: number): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `sha256=${hmac(secret, timestamp, body)}` };
}

export type Verdict = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

/** What a receiver does (and what our tests do as the receiver). Header names in lower case. */
export function verifySignature(
  secret: string,
  headers: Readonly<Record<string, string | undefined>>,
  body: string,
  nowMs: number,
  windowSec = REPLAY_WINDOW_SEC,
): Verdict {
  const timestamp = headers[TIMESTAMP_HEADER];
  const signature = headers[SIGNATURE_HEADER];
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing' };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > windowSec) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(`sha256=${hmac(secret, timestamp, body)}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

/**
 * A webhook URL's `user:password@` as a Basic Authorization header: fetch refuses URLs that carry
 * credentials, and receivers that want Basic auth are configured exactly that way.
 */
export function basicAuthOf(url: string): { url: string; headers: Record<string, string> } {
  const u = new URL(url);
  if (!u.username && !u.password) return { url, headers: {} };
  const credentials = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  u.username = '';
  u.password = '';
  return { url: u.toString(), headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } };
}
