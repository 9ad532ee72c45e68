// uuid_record start|stop (switch_ivr_record_session / switch_ivr_stop_record_session) as a media
// bug: RECORD_START then MEDIA_BUG_START; on stop the record_* variables, RECORD_STOP, then
// MEDIA_BUG_STOP (capture 20). A recording still running when the channel hangs up is stopped the
// same way as the media bugs are closed.
import type { Channel } from './channel.ts';
import type { SwitchCore } from './switch-core.ts';

interface Recording {
  readonly path: string;
  readonly startUs: number;
}

const active = new WeakMap<Channel, Map<string, Recording>>();

function recordingsOf(ch: Channel): Map<string, Recording> {
  let m = active.get(ch);
  if (!m) active.set(ch, (m = new Map()));
  return m;
}

export function startRecord(sw: SwitchCore, ch: Channel, path: string): string {
  const recs = recordingsOf(ch);
  if (recs.has(path)) return '-ERR Cannot record session!\n';
  recs.set(path, { path, startUs: sw.clock.nowUs() });
  ch.recordings = new Set(recs.keys());
  sw.chEvent('RECORD_START', ch, { post: [['Record-File-Path', path]] });
  sw.chEvent('MEDIA_BUG_START', ch, { pre: [['Media-Bug-Function', 'session_record'], ['Media-Bug-Target', path]] });
  // Stop with the channel: its media bugs close as it hangs up.
  ch.hangupCtl.signal.addEventListener('abort', () => stopRecord(sw, ch, path), { once: true });
  return '+OK Success\n';
}

/** `all` stops every recording; an unknown path is an error. */
export function stopRecord(sw: SwitchCore, ch: Channel, path: string): string {
  const recs = recordingsOf(ch);
  const targets = path === 'all' ? [...recs.values()] : [recs.get(path)].filter((r): r is Recording => !!r);
  if (!targets.length) return '-ERR Cannot stop record session!\n';
  for (const r of targets) {
    recs.delete(r.path);
    // Counted in whole 20 ms frames, as FreeSWITCH counts the samples written: the few µs of timer
    // jitter on the two timestamps must not turn 2 s into 1.999 s (record_seconds 1).
    const us = Math.max(0, Math.round((sw.clock.nowUs() - r.startUs) / 20_000) * 20_000);
    const samples = Math.floor(us / 125); // 8 kHz
    const v = ch.vars;
    v.set('record_file_size', String(44 + samples * 2));
    v.set('record_samples', String(samples));
    v.set('record_seconds', String(Math.floor(us / 1e6)));
    v.set('record_ms', String(Math.floor(us / 1000)));
    v.set('record_completion_cause', 'success');
    sw.chEvent('RECORD_STOP', ch, { post: [['Record-File-Path', r.path], ['Record-Completion-Cause', 'success']] });
    sw.chEvent('MEDIA_BUG_STOP', ch, { pre: [['Media-Bug-Function', 'session_record'], ['Media-Bug-Target', r.path]] });
  }
  ch.recordings = new Set(recs.keys());
  return '+OK Success\n';
}
