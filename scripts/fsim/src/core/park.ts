// switch_ivr_park, on its own: the apps, bridges (park_after_bridge) and API commands all park.
import type { Channel } from './channel.ts';
import type { SwitchCore } from './switch-core.ts';
import { readDtmf } from './dtmf.ts';

/**
 * switch_ivr_park: CHANNEL_PARK, wait for hangup/break/transfer, CHANNEL_UNPARK. A channel that is
 * already parked (CF_CONTROLLED: the park loop or an async socket application holds it) is refused
 * at once - "Cannot park channels that are under control already" in the log, no PARK/UNPARK, the
 * park application's CHANNEL_EXECUTE_COMPLETE follows its CHANNEL_EXECUTE (capture 23).
 */
export async function park(sw: SwitchCore, ch: Channel, signal?: AbortSignal): Promise<string | undefined> {
  if (ch.parked || ch.controlled) {
    sw.log.debug?.(`Cannot park channels that are under control already ${ch.uuid}`);
    return undefined;
  }
  ch.parked = true;
  sw.chEvent('CHANNEL_PARK', ch);
  const sig = signal ?? ch.resetBreak();
  // switch_ivr_park reads the channel's DTMF (the events reach ESL; nothing else happens).
  const stopDtmf = readDtmf(sw, ch);
  await new Promise<void>((r) => {
    if (sig.aborted) return r();
    sig.addEventListener('abort', () => r(), { once: true });
  });
  stopDtmf();
  ch.parked = false;
  sw.chEvent('CHANNEL_UNPARK', ch);
  return undefined;
}
