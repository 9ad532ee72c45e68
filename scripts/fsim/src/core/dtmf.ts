// DTMF as FreeSWITCH handles it: a digit that arrives (RFC2833 from the far end, uuid_recv_dtmf,
// a loopback peer's uuid_send_dtmf) is only queued on the channel (switch_channel_queue_dtmf); the
// DTMF event fires when something dequeues it (switch_channel_dequeue_dtmf): play_and_get_digits,
// read, playback (its terminators), park, a bridge (which passes it to the peer), a conference.
// endless_playback and sleep read no digits, so a caller's keys there raise no event (they stay
// queued for the next application that reads them).
import type { Channel } from './channel.ts';
import type { SwitchCore } from './switch-core.ts';

/** Digits arriving on a channel. */
export function queueDtmf(sw: SwitchCore, ch: Channel, digits: string, source: string): void {
  for (const d of digits) {
    if (!/[0-9*#A-Da-d]/.test(d)) continue;
    ch.pushDtmf({ digit: d, source });
    sw.endpoints.emit({ type: 'dtmf', uuid: ch.uuid, digit: d });
  }
  drain(sw, ch);
}

/** switch_channel_dequeue_dtmf: the next queued digit, with its DTMF event; undefined if none. */
export function dequeueDtmf(sw: SwitchCore, ch: Channel): string | undefined {
  const q = ch.dtmfQueue.shift();
  if (!q) return undefined;
  sw.chEvent('DTMF', ch, { post: [['DTMF-Digit', q.digit], ['DTMF-Duration', '2000'], ['DTMF-Source', q.source]] });
  return q.digit;
}

function drain(sw: SwitchCore, ch: Channel): void {
  const active = (): ((d: string) => void)[] => [...ch.dtmfReaders].filter((r) => r.active()).map((r) => r.onDigit);
  while (ch.dtmfQueue.length && active().length) {
    const d = dequeueDtmf(sw, ch);
    if (d !== undefined) for (const f of active()) f(d);
  }
}

/**
 * While the returned release is not called, every digit queued on the channel (already or later)
 * is dequeued at once and handed to `onDigit` (a park, a bridge, a playback with terminators),
 * as long as `active()` says so (a socket's park reads none while an application it runs does).
 */
export function readDtmf(sw: SwitchCore, ch: Channel, onDigit: (d: string) => void = () => undefined, active: () => boolean = () => true): () => void {
  const reader = { onDigit, active };
  ch.dtmfReaders.add(reader);
  drain(sw, ch);
  return () => ch.dtmfReaders.delete(reader);
}
