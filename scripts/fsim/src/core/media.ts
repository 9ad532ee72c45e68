// Playback timing. There is no audio: a tone_stream lasts what its spec says, silence_stream its
// milliseconds, any other file config.defaultFileMs.
import type { Channel } from './channel.ts';
import type { SwitchCore } from './switch-core.ts';
import { readDtmf } from './dtmf.ts';

/** Length in ms of one play of `file`; Infinity for endless tones (loops=-1). */
export function mediaDurationMs(file: string, defaultMs: number): number {
  const f = file.trim();
  // A local_stream (music on hold) never ends by itself.
  if (f.startsWith('local_stream://')) return Infinity;
  if (f.startsWith('silence_stream://')) return Number(f.slice(17).split(',')[0]) || 0;
  if (f.startsWith('tone_stream://')) {
    const loopsM = /loops=(-?\d+)/.exec(f);
    const loops = loopsM ? Number(loopsM[1]) : 1;
    if (loops < 0) return Infinity;
    let total = 0;
    for (const m of f.matchAll(/%\(([\d.]+),([\d.]+)/g)) total += Number(m[1]) + Number(m[2]);
    return total * Math.max(1, loops);
  }
  return defaultMs;
}

/** switch_ivr_play_file: PLAYBACK_START, wait, playback_* variables, PLAYBACK_STOP. */
export async function playFile(sw: SwitchCore, ch: Channel, file: string, endless: boolean, keepDtmf = false): Promise<string | undefined> {
  if (ch.isHungUp) return undefined;
  if (!ch.answered && !ch.times.progressMedia) sw.answer(ch);
  const files = file.split('!').filter(Boolean);
  let status = 'done';
  let playedMs = 0;
  for (const f of files.length ? files : [file]) {
    const dur = mediaDurationMs(f, sw.config.defaultFileMs ?? 3000);
    const type = fileType(f);
    sw.chEvent('PLAYBACK_START', ch, { post: [['Playback-File-Type', type], ['Playback-File-Path', f]] });
    sw.endpoints.emit({ type: 'media', uuid: ch.uuid, state: 'started', file: f });
    const sig = AbortSignal.any([ch.resetBreak(), ch.mediaSignal()]);
    const startUs = sw.clock.nowUs();
    const dtmfCtl = new AbortController();
    // Digits interrupt a prompt inside play_and_get_digits (keepDtmf leaves them queued).
    if (keepDtmf) ch.dtmfWaiters.push(() => dtmfCtl.abort());
    const wait = endless || !Number.isFinite(dur) ? 24 * 3600_000 : dur;
    if (keepDtmf && ch.dtmfQueue.length) dtmfCtl.abort();
    // The playback application reads DTMF (its playback_terminators, default `*`, stop it); the
    // endless_playback application reads none (dtmf.ts).
    const terms = ch.vars.get('playback_terminators') ?? '*';
    const stopDtmf = !endless && !keepDtmf ? readDtmf(sw, ch, (d) => { if (terms !== 'none' && terms.includes(d)) dtmfCtl.abort(); }) : () => undefined;
    await sw.clock.sleep(wait, AbortSignal.any([sig, dtmfCtl.signal]));
    stopDtmf();
    const elapsed = Math.min(wait, Math.max(0, Math.round((sw.clock.nowUs() - startUs) / 1000)));
    const interrupted = sig.aborted || dtmfCtl.signal.aborted;
    const ms = interrupted ? elapsed : Number.isFinite(dur) ? dur : elapsed;
    playedMs += ms;
    const samples = Math.round(ms * 8);
    ch.vars.set('playback_last_offset_pos', String(samples));
    ch.vars.set('playback_seconds', String(Math.floor(ms / 1000)));
    ch.vars.set('playback_ms', String(ms));
    ch.vars.set('playback_samples', String(samples));
    status = interrupted ? 'break' : 'done';
    sw.chEvent('PLAYBACK_STOP', ch, {
      post: [['Playback-File-Type', type], ['Playback-File-Path', f], ['Playback-Status', status]],
    });
    sw.endpoints.emit({ type: 'media', uuid: ch.uuid, state: 'stopped', file: f });
    if (interrupted) break;
  }
  void playedMs;
  if (ch.isHungUp) return 'FILE NOT FOUND'.startsWith('x') ? undefined : 'PLAYBACK ERROR';
  return status === 'done' ? 'FILE PLAYED' : 'FILE PLAYED';
}

/** Playback-File-Type: the stream's scheme (tone_stream, local_stream, ...) or the file's extension. */
function fileType(f: string): string {
  const scheme = /^([a-z_]+):\/\//.exec(f);
  if (scheme?.[1]) return scheme[1];
  const ext = /\.([A-Za-z0-9]+)$/.exec(f);
  return ext?.[1] ?? 'file';
}
