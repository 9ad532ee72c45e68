// mod_dptools eavesdrop as FreeSWITCH 1.10.12 runs it (checked with distinct tones per party on the
// real switch, server/test/switch/switch-supervision.test.ts): a media bug on the target raises
// MEDIA_BUG_START on the target (Media-Bug-Function eavesdrop, Media-Bug-Target the target's
// uuid); the eavesdropper hears both directions of the target; DTMF the eavesdropper's channel
// receives (its phone's keys, or uuid_recv_dtmf) switches the mix: 2 into what the target hears,
// 1 into what the target sends (its bridged peer hears it), 3 both, 0 neither. Each digit is
// dequeued with its DTMF event. It ends when either side hangs up.
//
// No audio is simulated: audioSources() says whose audio reaches a leg (its bridged peer, and the
// eavesdrop mixes), which tests read where the real switch's recordings are analysed.
import type { Channel } from './channel.ts';
import { readDtmf } from './dtmf.ts';
import type { SwitchCore } from './switch-core.ts';

interface Eavesdrop {
  readonly spy: string;
  readonly target: string;
  /** Mixed into the target's read stream: its bridged peer hears the eavesdropper. */
  muxRead: boolean;
  /** Mixed into the target's write stream: the target hears the eavesdropper. */
  muxWrite: boolean;
}

const running = new WeakMap<SwitchCore, Map<string, Eavesdrop>>();

function of(sw: SwitchCore): Map<string, Eavesdrop> {
  let m = running.get(sw);
  if (!m) running.set(sw, (m = new Map()));
  return m;
}

const ended = (ch: Channel): Promise<void> =>
  new Promise((r) => {
    if (ch.isHungUp) return r();
    ch.hangupCtl.signal.addEventListener('abort', () => r(), { once: true });
  });

export async function eavesdropApp(sw: SwitchCore, ch: Channel, arg: string): Promise<string | undefined> {
  const target = sw.channels.get(arg.trim());
  // FreeSWITCH logs that the uuid is not there and the application returns at once.
  if (!target || target.isHungUp || target === ch) return undefined;
  const e: Eavesdrop = { spy: ch.uuid, target: target.uuid, muxRead: false, muxWrite: false };
  const bug: [string, string][] = [['Media-Bug-Function', 'eavesdrop'], ['Media-Bug-Target', target.uuid]];
  of(sw).set(ch.uuid, e);
  sw.chEvent('MEDIA_BUG_START', target, { pre: bug });
  const release = readDtmf(sw, ch, (d) => {
    if (d === '0' || d === '1' || d === '2' || d === '3') {
      e.muxRead = d === '1' || d === '3';
      e.muxWrite = d === '2' || d === '3';
    }
  });
  await Promise.race([ended(ch), ended(target)]);
  release();
  of(sw).delete(ch.uuid);
  sw.chEvent('MEDIA_BUG_STOP', target, { pre: bug });
  return undefined;
}

/** The legs whose audio reaches `uuid`: its bridged peer, and eavesdroppers mixed in (or, for an eavesdropper, its target's both sides). */
export function audioSources(sw: SwitchCore, uuid: string): string[] {
  const ch = sw.channels.get(uuid);
  if (!ch || ch.isHungUp) return [];
  const out = new Set<string>();
  if (ch.bridgedTo) out.add(ch.bridgedTo);
  for (const e of of(sw).values()) {
    const target = sw.channels.get(e.target);
    if (e.spy === uuid) {
      out.add(e.target);
      if (target?.bridgedTo) out.add(target.bridgedTo);
    }
    if (e.target === uuid && e.muxWrite) out.add(e.spy);
    if (target?.bridgedTo === uuid && e.muxRead) out.add(e.spy);
  }
  return [...out];
}
