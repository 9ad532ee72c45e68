// FreeSWITCH's channel state machine as the switch model runs it: requested vs running state
// (CHANNEL_STATE), call state (CHANNEL_CALLSTATE), presence, codec set-up, ring-ready, pre-answer,
// answer, and the hangup path CS_HANGUP -> CS_REPORTING -> CS_DESTROY. Switch exposes each of
// these as a method of the same meaning (sw.answer, sw.hangup, ...).
import type { Header } from '../types.ts';
import type { Channel, CallState, ChannelState } from './channel.ts';
import { CALLSTATE_NUMBERS } from './channel.ts';
import type { SwitchCore } from './switch-core.ts';
import { setHangupVars, setLocalSdp, setMediaVars } from './sofia-vars.ts';
import { loopbackPeerOf } from './loopback.ts';

/** Request a state (Channel-State-Number changes). */
export function requestState(sw: SwitchCore, ch: Channel, s: ChannelState): void {
  if (!ch.isHungUp || s === 'CS_HANGUP' || s === 'CS_REPORTING' || s === 'CS_DESTROY') ch.state = s;
}

/** The state machine thread picks the requested state up: CHANNEL_STATE. */
export function runState(sw: SwitchCore, ch: Channel, s: ChannelState): void {
  ch.runningState = s;
  if (ch.state !== s && STATE_ORDER(ch.state) < STATE_ORDER(s)) ch.state = s;
  sw.chEvent('CHANNEL_STATE', ch);
}

export function setCallState(sw: SwitchCore, ch: Channel, cs: CallState): void {
  if (ch.callState === cs) return;
  const orig = ch.callState;
  ch.callState = cs;
  sw.chEvent('CHANNEL_CALLSTATE', ch, {
    pre: [['Original-Channel-Call-State', orig], ['Channel-Call-State-Number', String(CALLSTATE_NUMBERS[cs])]],
  });
}

export function firePresence(sw: SwitchCore, ch: Channel): void {
  if (!ch.presenceId) return;
  const login = ch.vars.get('sofia_profile_name') ?? 'internal';
  // Without manage-presence sofia sets no presence_id of its own; one the directory's dial-string
  // sets ({presence_id=<user>@<domain>} on user/<id> legs) still raises PRESENCE_IN (differential test).
  const fromDialString = ch.vars.get('dialed_user') !== undefined;
  if (sw.config.profiles.find((p) => p.name === login)?.managePresence === false && !fromDialString) return;
  const status = ch.isHungUp ? 'CS_HANGUP' : ch.answered ? 'Answered' : ch.callState === 'RINGING' ? 'CS_ROUTING' : 'CS_ROUTING';
  const infoState = ch.isHungUp ? 'terminated' : ch.answered ? 'active' : ch.direction === 'inbound' ? 'ringing' : 'early';
  sw.chEvent('PRESENCE_IN', ch, {
    post: [
      ['proto', 'sip'], ['login', login], ['from', ch.presenceId], ['rpid', 'unknown'], ['status', status],
      ['event_type', 'presence'], ['alt_event_type', 'dialog'], ['presence-call-info-state', infoState],
      ['presence-call-direction', ch.direction], ['event_count', '1'],
      ['Presence-Calling-File', 'switch_channel.c'], ['Presence-Calling-Function', 'switch_channel_set_callstate'],
      ['Presence-Calling-Line', '302'],
    ],
  });
}

export function codecEvents(sw: SwitchCore, ch: Channel): void {
  if (ch.mediaUp) return;
  ch.mediaUp = true;
  const c = ch.codec;
  const rd: Header[] = [['channel-read-codec-name', c.name], ['channel-read-codec-rate', c.rate], ['channel-read-codec-bit-rate', c.bitRate]];
  const wr: Header[] = [['Channel-Write-Codec-Name', c.name], ['Channel-Write-Codec-Rate', c.rate], ['Channel-Write-codec-bit-rate', c.bitRate]];
  sw.chEvent('CODEC', ch, { sourceKey: 'CODEC_READ', post: rd });
  sw.chEvent('CODEC', ch, { sourceKey: 'CODEC_WRITE', post: wr });
}

export function markPreAnswered(sw: SwitchCore, ch: Channel): void {
  if (ch.isHungUp || ch.times.progressMedia || ch.answered) return;
  if (ch.endpoint === 'sofia') setMediaVars(ch, sw.profileIp(ch));
  sw.codecEvents(ch);
  ch.times.progressMedia = sw.clock.nowUs();
  ch.answerState = 'early';
  if (ch.endpoint === 'sofia') ch.vars.set('endpoint_disposition', 'EARLY MEDIA');
  sw.chEvent('CHANNEL_PROGRESS_MEDIA', ch);
  sw.setCallState(ch, 'EARLY');
}

export function markRingReady(sw: SwitchCore, ch: Channel): void {
  if (ch.isHungUp || ch.times.progress) return;
  ch.times.progress = sw.clock.nowUs();
  sw.chEvent('CHANNEL_PROGRESS', ch);
  sw.setCallState(ch, 'RINGING');
}

/** switch_channel_mark_answered for an inbound leg (after pre-answer) or a far end answering. */
export function markAnswered(sw: SwitchCore, ch: Channel): void {
  if (ch.isHungUp || ch.answered) return;
  // A loopback -b leg answering answers its -a leg first (capture 05).
  const lp = ch.endpoint === 'loopback' && ch.direction === 'inbound' ? loopbackPeerOf(sw, ch) : undefined;
  if (lp) sw.answer(lp);
  // A loopback leg has media from the start: no pre-answer (no progress_media_stamp, capture 05).
  if (ch.direction === 'inbound' && ch.endpoint === 'sofia') sw.preAnswer(ch);
  else {
    if (ch.endpoint === 'sofia' && !ch.vars.has('rtp_use_codec_name')) setMediaVars(ch, sw.profileIp(ch));
    sw.codecEvents(ch);
  }
  if (ch.endpoint === 'sofia') setLocalSdp(ch, sw.profileIp(ch));
  ch.times.answered = sw.clock.nowUs();
  ch.answerState = 'answered';
  sw.chEvent('CHANNEL_ANSWER', ch);
  sw.presence(ch);
  sw.setCallState(ch, 'ACTIVE');
  if (ch.endpoint === 'sofia' || lp) ch.vars.set('endpoint_disposition', 'ANSWER');
  sw.endpoints.emit({ type: 'answered', uuid: ch.uuid });
}

export function profileIp(sw: SwitchCore, ch: Channel): string {
  const name = ch.vars.get('sofia_profile_name');
  return sw.config.profiles.find((p) => p.name === name)?.ip ?? sw.config.profiles[0]?.ip ?? '127.0.0.1';
}

/** switch_channel_hangup: CHANNEL_HANGUP now; the rest runs when the channel's thread winds down. */
export function hangupChannel(sw: SwitchCore, ch: Channel, cause = 'NORMAL_CLEARING'): void {
  if (ch.isHungUp || ch.destroyed) return;
  ch.hangupCause = cause;
  ch.answerState = 'hangup';
  ch.times.hangup = sw.clock.nowUs();
  ch.vars.set('hangup_cause', undefined);
  sw.request(ch, 'CS_HANGUP');
  ch.beforeHangupEvent?.();
  sw.chEvent('CHANNEL_HANGUP', ch);
  sw.endpoints.emit({ type: 'hangup', uuid: ch.uuid, cause });
  ch.hangupCtl.abort();
  ch.breakCtl.abort();
  for (const w of ch.dtmfWaiters) w();
  // mod_loopback hangs the other half up with the same cause.
  const lp = loopbackPeerOf(sw, ch);
  if (lp) sw.hangup(lp, cause);
  // A channel with no thread of its own (parked originate leg, ringing leg) finishes now.
  if (!ch.busy && !ch.inBridge) sw.finish(ch);
}

/** CS_HANGUP -> CS_REPORTING -> CS_DESTROY, as the state machine runs them. */
export function finishChannel(sw: SwitchCore, ch: Channel): void {
  if (ch.destroyed || ch.finishing) return;
  sw.hangupState(ch);
  ch.finishing = true;
  sw.request(ch, 'CS_REPORTING');
  sw.presence(ch);
  sw.run(ch, 'CS_REPORTING');
  ch.onReport?.();
  setHangupVars(ch);
  if (ch.endpoint === 'loopback') ch.vars.set('is_loopback', '1');
  sw.chEvent('CHANNEL_HANGUP_COMPLETE', ch, { pre: [['Hangup-Cause', ch.hangupCause ?? 'NORMAL_CLEARING']] });
  // A read lock on the session (an outbound socket listener lingering after the hangup) keeps it
  // from being destroyed: CHANNEL_DESTROY waits for the last holder (captures 13, 23_inbound).
  if (ch.sessionHolds > 0) {
    ch.destroyWhenReleased = () => destroyChannel(sw, ch);
    return;
  }
  destroyChannel(sw, ch);
}

function destroyChannel(sw: SwitchCore, ch: Channel): void {
  if (ch.destroyed) return;
  ch.destroyWhenReleased = undefined;
  sw.request(ch, 'CS_DESTROY');
  sw.chEvent('CHANNEL_DESTROY', ch);
  ch.runningState = 'CS_DESTROY';
  sw.chEvent('CHANNEL_STATE', ch);
  ch.destroyed = true;
  sw.channels.delete(ch.uuid);
  sw.queues.delete(ch.uuid);
  ch.markDestroyed();
}

/**
 * The far end hangs up (a BYE received): sofia records it before hanging the channel up
 * (sip_term_status, proto_specific_hangup_cause, sip_term_cause on CHANNEL_HANGUP: captures 18,
 * 23, census 27), and reports recv_bye (endpoints.ts).
 */
export function farEndHangup(sw: SwitchCore, ch: Channel, cause = 'NORMAL_CLEARING'): void {
  if (ch.isHungUp) return;
  ch.farEndHangup = true;
  if (ch.endpoint === 'sofia' && cause === 'NORMAL_CLEARING' && ch.answered) {
    ch.vars.set('sip_term_status', '200');
    ch.vars.set('proto_specific_hangup_cause', 'sip:200');
    ch.vars.set('sip_term_cause', '16');
  }
  // A caller's CANCEL while it rings: sofia answers 487 (differential test, real switch).
  if (ch.endpoint === 'sofia' && ch.direction === 'inbound' && cause === 'ORIGINATOR_CANCEL' && !ch.answered) {
    for (const [k, v] of [['sip_invite_failure_status', '487'], ['sip_term_status', '487'], ['proto_specific_hangup_cause', 'sip:487'], ['sip_term_cause', '487']] as const) ch.vars.set(k, v);
  }
  // An agent phone's BYE: sofia records recv_bye once the hangup is under way, as for a caller's
  // (endpoints.ts placeCall); without it CS_REPORTING would say send_bye (differential test, D3).
  if (ch.endpoint === 'sofia' && ch.direction === 'outbound' && ch.answered && cause === 'NORMAL_CLEARING') {
    ch.hangupCtl.signal.addEventListener('abort', () => ch.vars.set('sip_hangup_disposition', 'recv_bye'), { once: true });
  }
  sw.hangup(ch, cause);
}

/**
 * switch_core_session_read_lock for a holder outside the channel's thread: until the returned
 * release runs, a hung-up channel stops after CHANNEL_HANGUP_COMPLETE. Release is idempotent.
 */
export function holdSession(sw: SwitchCore, ch: Channel): () => void {
  ch.sessionHolds++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    ch.sessionHolds--;
    if (ch.sessionHolds <= 0 && ch.destroyWhenReleased) ch.destroyWhenReleased();
  };
}

/** The CS_HANGUP half of finishing: the state machine enters CS_HANGUP (callstate HANGUP). */
export function enterHangupState(sw: SwitchCore, ch: Channel): void {
  if (ch.destroyed || ch.hangupRun) return;
  ch.hangupRun = true;
  const peer = ch.bridgedTo ? sw.channels.get(ch.bridgedTo) : undefined;
  if (peer && !peer.isHungUp) sw.onPeerHangup(peer, ch);
  sw.run(ch, 'CS_HANGUP');
  sw.setCallState(ch, 'HANGUP');
}

/** The bridged peer hung up: hangup_after_bridge (default true for bridge app a-legs). */
export function onPeerHangup(sw: SwitchCore, ch: Channel, _peer: Channel): void {
  ch.bridgeEnded?.();
}

const ORDER: readonly ChannelState[] = [
  'CS_NEW', 'CS_INIT', 'CS_ROUTING', 'CS_SOFT_EXECUTE', 'CS_EXECUTE', 'CS_EXCHANGE_MEDIA', 'CS_PARK',
  'CS_CONSUME_MEDIA', 'CS_HIBERNATE', 'CS_RESET', 'CS_HANGUP', 'CS_REPORTING', 'CS_DESTROY', 'CS_NONE',
];
function STATE_ORDER(s: ChannelState): number {
  return ORDER.indexOf(s);
}
