// What a leg does once its bridge is over, as switch_ivr_bridge.c decides it.
//
// A bridge ends for one leg when the partner hangs up, or when the partner is taken away: by a
// uuid_transfer (CF_TRANSFER, the partner re-enters CS_ROUTING) or by a newer uuid_bridge (the
// partner leaves for its new bridge). The leg that was taken goes on with its new owner and is
// not touched. The leg left behind decides by its OWN variables (audio_bridge_on_exchange_media
// for the originatee, switch_ivr_multi_threaded_bridge / uuid_bridge_on_soft_execute for the
// originator): park_after_bridge=true parks it (CS_PARK, CHANNEL_PARK; it can be bridged or
// transferred again later), otherwise it hangs up with NORMAL_CLEARING.
import type { Channel } from './channel.ts';
import type { SwitchCore } from './switch-core.ts';
import { park } from './park.ts';
import { sessionTransfer } from './transfer.ts';

export function isTrue(v: string | undefined): boolean {
  return !!v && /^(true|yes|on|enabled|active|allow|1)$/i.test(v.trim());
}

/** The leg whose bridge is over and that nobody has taken: park_after_bridge or hang up. */
export function leftBehind(sw: SwitchCore, ch: Channel): void {
  // Already parked (the end of the bridge settled it): nothing more to do.
  if (ch.isHungUp || ch.destroyed || ch.parked) return;
  const transferTo = ch.vars.get('transfer_after_bridge');
  if (isTrue(ch.vars.get('park_after_bridge'))) parkAfterBridge(sw, ch);
  else if (transferTo) {
    // FreeSWITCH splits on ':' (extension, dialplan, context), defaults XML and the current context.
    const [ext = '', dialplan = 'XML', context = ch.profile?.context ?? 'default'] = transferTo.split(':');
    if (ext) sessionTransfer(sw, ch, ext, dialplan || 'XML', context);
    else sw.hangup(ch, 'NORMAL_CLEARING');
  } else sw.hangup(ch, 'NORMAL_CLEARING');
}

/**
 * switch_ivr_park_session: the leg goes to CS_PARK and parks there with no application around it
 * (no CHANNEL_EXECUTE). It waits, as any parked leg, for a uuid_bridge, a uuid_transfer or a
 * hangup; this function is the leg's thread meanwhile.
 */
export function parkAfterBridge(sw: SwitchCore, ch: Channel): void {
  const claim = ch.claim;
  ch.busy = true;
  sw.request(ch, 'CS_PARK');
  sw.run(ch, 'CS_PARK');
  void park(sw, ch)
    .catch((e: unknown) => sw.log.warn?.('park after bridge failed', e))
    .finally(() => {
      ch.busy = false;
      if (ch.isHungUp) sw.finish(ch);
      // A transfer took it: route the new extension on this thread.
      else if (ch.transferTo) void sw.routeAndExecute(ch, true).catch((e: unknown) => sw.log.error?.('channel thread failed', e));
      // A newer uuid_bridge took it (inBridge): that bridge owns it now.
      else if (!ch.inBridge && ch.claim === claim) sw.hangup(ch, 'NORMAL_CLEARING');
    });
}

/**
 * Run the hangup states of a hung-up leg once nothing runs on it any more: an application queued
 * as a private event (uuid_hold's music on the partner) keeps the leg busy until it has stopped.
 */
export function finishWhenIdle(sw: SwitchCore, ch: Channel): void {
  if (!ch.isHungUp || ch.destroyed) return;
  if (!ch.busy) return sw.finish(ch);
  const q = sw.queues.get(ch.uuid);
  if (q) void q.then(() => { if (!ch.busy) sw.finish(ch); });
}
