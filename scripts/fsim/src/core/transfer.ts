// switch_ivr_session_transfer and the profile bookkeeping uuid_bridge shares with it: a new caller
// profile (Profile-Index + 1, Caller-Transfer-Source, RDNIS), transfer_history/transfer_source
// variables, an outbound leg's logical direction turning inbound, and CS_ROUTING requested at once
// (the interrupted application's CHANNEL_EXECUTE_COMPLETE shows Channel-State-Number 2, capture 09).
import { randomUUID } from 'node:crypto';
import type { Channel } from './channel.ts';
import type { SwitchCore } from './switch-core.ts';

/** A uuid_bridge or a transfer takes the leg; returns the new claim for the taker to check later. */
export function takeLeg(ch: Channel): number {
  ch.claim += 1;
  return ch.claim;
}

function transferSource(sw: SwitchCore, what: string): string {
  return `${Math.floor(sw.clock.nowUs() / 1e6)}:${randomUUID()}:${what}`;
}

/** A new caller profile for the channel (switch_caller_profile_clone + index bump). */
function newProfile(sw: SwitchCore, ch: Channel, source: string, keepLogical = false): void {
  const p = ch.profile;
  if (!p) return;
  p.profileIndex += 1;
  p.profileCreatedUs = sw.clock.nowUs();
  p.transferSource = source;
  if (!keepLogical) ch.logicalInbound = true;
  ch.vars.set('transfer_history', source);
  ch.vars.set('transfer_source', source);
}

/**
 * The caller-profile half of switch_ivr_session_transfer: a new profile for `dest`, the old
 * destination as RDNIS, transfer_history/transfer_source, max_forwards. `keepLogical` leaves the
 * logical direction alone (api originate's transfer of its fresh leg into an extension keeps
 * Caller-Logical-Direction outbound, capture 10).
 */
export function transferProfile(sw: SwitchCore, ch: Channel, dest: string, dialplan: string, context: string, keepLogical = false): void {
  const p = ch.profile;
  if (!p) return;
  const src = transferSource(sw, `bl_xfer:${dest}/${context}/${dialplan}`);
  ch.vars.set('max_forwards', '70');
  newProfile(sw, ch, src, keepLogical);
  p.rdnis = p.destinationNumber;
  p.destinationNumber = dest;
  p.dialplan = dialplan;
  p.context = context;
}

/** uuid_transfer / the transfer application: leave the current extension and route `dest`. */
export function sessionTransfer(sw: SwitchCore, ch: Channel, dest: string, dialplan = 'XML', context = 'default'): void {
  if (!ch.profile || ch.isHungUp) return;
  // The transfer takes the leg (CF_TRANSFER): out of a bridge it is in, or of a uuid_bridge about
  // to start. That bridge ends without hanging this leg up; its partner, left behind, hangs up or
  // parks by its own park_after_bridge (after-bridge.ts).
  takeLeg(ch);
  ch.inBridge = false;
  const bridge = ch.bridge;
  transferProfile(sw, ch, dest, dialplan, context);
  ch.transferTo = { dest, dialplan, context };
  ch.state = 'CS_ROUTING';
  ch.breakCtl.abort();
  const start = (): void => {
    if (!ch.busy && !ch.isHungUp && ch.transferTo) void sw.routeAndExecute(ch, true).catch(() => undefined);
  };
  // A bridged leg with no thread of its own routes once the bridge has let it go (its
  // CHANNEL_UNBRIDGE comes before the new extension's CS_ROUTING) and a broadcast it was playing
  // (the partner's music on hold) has stopped.
  if (bridge?.threadless) void bridge.done.then(() => sw.queues.get(ch.uuid)).then(start);
  // A parked originate leg with no dialplan thread of its own: start one.
  else start();
}

/** uuid_bridge's transfer of each leg into the bridge (Transfer-Source ...:uuid_br:<other>). */
export function uuidBridgeProfile(sw: SwitchCore, ch: Channel, other: Channel): void {
  const p = ch.profile;
  if (!p) return;
  ch.vars.set('original_destination_number', p.destinationNumber);
  ch.vars.set('original_caller_id_name', p.callerIdName);
  ch.vars.set('original_caller_id_number', p.callerIdNumber);
  newProfile(sw, ch, transferSource(sw, `uuid_br:${other.uuid}`));
}
