// switch_ivr_broadcast, switch_ivr_hold / switch_ivr_unhold and uuid_break (captures 18, 19).
//
// A broadcast is a COMMAND event (execute playback, event-lock, lead-frames 5, loops -1 for music
// on hold) queued to the channel as a private event: its Event-Sequence is taken when it is
// created, but it is fired only after the channel has parsed it, i.e. after the playback's
// CHANNEL_EXECUTE_COMPLETE (see sendmsg.ts queuePrivate).
import type { Header, SendMsg } from '../types.ts';
import type { Channel } from './channel.ts';
import type { SwitchCore } from './switch-core.ts';
import { queuePrivate } from './sendmsg.ts';

export function broadcast(sw: SwitchCore, ch: Channel, path: string, opts: { loop?: boolean } = {}): Promise<void> {
  const prefix: Header[] = sw.eb.base('COMMAND', 'switch_ivr_async.c', 'switch_ivr_broadcast', 5731);
  const headers = new Map<string, string>([
    ['call-command', 'execute'], ['execute-app-name', 'playback'], ['execute-app-arg', path],
    ['event-lock', 'true'], ['lead-frames', '5'],
  ]);
  if (opts.loop) headers.set('loops', '-1');
  const msg: SendMsg = { headers };
  return queuePrivate(sw, ch, msg, { prefix });
}

/** uuid_break [all]: CF_BREAK ends the playback in progress; `all` also stops a looping broadcast. */
export function breakMedia(ch: Channel, all: boolean): void {
  if (all) ch.stopBroadcast = true;
  ch.mediaCtl.abort();
}

/** switch_ivr_hold: HELD, music on hold to the partner (a looping broadcast), CHANNEL_HOLD. */
export function hold(sw: SwitchCore, ch: Channel): void {
  if (ch.held) return;
  ch.held = true;
  ch.times.lastHold = sw.clock.nowUs();
  sw.setCallState(ch, 'HELD');
  const partner = ch.bridgedTo ? sw.channels.get(ch.bridgedTo) : undefined;
  if (partner && !partner.isHungUp) void broadcast(sw, partner, ch.vars.get('hold_music') ?? 'local_stream://moh', { loop: true });
  sw.chEvent('CHANNEL_HOLD', ch);
  // The phone's 200 OK to the re-INVITE (a=sendonly) arrives after: the dialog is re-read in the
  // other direction (capture 18: these appear by CHANNEL_UNHOLD).
  if (ch.endpoint === 'sofia' && ch.direction === 'inbound') {
    const v = ch.vars;
    v.set('sip_reply_host', v.get('sip_network_ip') ?? '127.0.0.1');
    v.set('sip_reply_port', v.get('sip_network_port') ?? '5060');
    v.set('dlg_req_swap_direction', 'true');
    v.set('sip_to_display', v.get('sip_from_display') ?? v.get('sip_from_user') ?? '');
    v.set('sip_contact_params', 'transport=UDP');
    v.unset('sip_from_display');
  }
}

/**
 * switch_ivr_unhold: UNHELD then ACTIVE, the partner's broadcast stopped (its PLAYBACK_STOP,
 * EXECUTE_COMPLETE and the COMMAND come first), then CHANNEL_UNHOLD (capture 18).
 */
export async function unhold(sw: SwitchCore, ch: Channel): Promise<void> {
  if (!ch.held) return;
  ch.held = false;
  const now = sw.clock.nowUs();
  ch.times.holdAccum += now - ch.times.lastHold;
  ch.holdEvents.push([ch.times.lastHold, now]);
  sw.setCallState(ch, 'UNHELD');
  sw.setCallState(ch, 'ACTIVE');
  const partner = ch.bridgedTo ? sw.channels.get(ch.bridgedTo) : undefined;
  if (partner) {
    breakMedia(partner, true);
    const q = sw.queues.get(partner.uuid);
    if (q) await q;
  }
  if (!ch.destroyed) sw.chEvent('CHANNEL_UNHOLD', ch);
}
