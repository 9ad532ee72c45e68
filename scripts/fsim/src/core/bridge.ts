// Outgoing legs (originate / bridge) and two-leg bridging, with FreeSWITCH's event order:
// CHANNEL_OUTGOING (profile attached, no variables), CHANNEL_STATE CS_INIT, CHANNEL_CREATE, CHANNEL_ORIGINATE, CS_ROUTING,
// CS_CONSUME_MEDIA, CHANNEL_PROGRESS + CALLSTATE RINGING, then CODEC x2, CHANNEL_ANSWER, ACTIVE.
import type { CallerProfile, Channel } from './channel.ts';
import type { SwitchCore } from './switch-core.ts';
import { parseDialString } from './dialstring.ts';
import type { DialLeg } from './dialstring.ts';
import type { EndpointBehaviour } from './config.ts';
import { setOutgoingCancelVars, setOutgoingCreateVars } from './sofia-out.ts';
import { createLoopbackB, loopbackOutcome, setLoopbackAVars, startLoopbackB } from './loopback.ts';
import { finishWhenIdle, isTrue, leftBehind } from './after-bridge.ts';
import { park } from './park.ts';
import { readDtmf } from './dtmf.ts';

export interface OriginateResult {
  ok: boolean;
  cause: string;
  leg?: Channel;
}

/** Dial one leg; resolves when it answers or fails. `aLeg` is the originator when bridging. */
export async function dialLeg(sw: SwitchCore, leg: DialLeg, opts: { aLeg?: Channel; timeoutSec?: number; cidName?: string; cidNumber?: string }): Promise<OriginateResult> {
  const resolved = sw.endpoints.resolve(leg);
  if ('cause' in resolved) return { ok: false, cause: resolved.cause };
  const { name, behaviour, presence, destination } = resolved;
  const v = leg.vars;
  const loop = leg.kind === 'loopback';
  const ch = sw.newChannel(name, 'outbound', loop ? 'loopback' : 'sofia', v.origination_uuid);
  ch.hitDialplan = false;
  const a = opts.aLeg;
  if (a) ch.other = { type: 'originator', uuid: a.uuid, ref: a };
  // switch_ivr_originate: no caller id given -> empty name and number 0000000000 (captures 15, 05).
  const cidName = v.origination_caller_id_name ?? opts.cidName ?? a?.profile?.callerIdName ?? '';
  const cidNum = v.origination_caller_id_number ?? opts.cidNumber ?? a?.profile?.callerIdNumber ?? '0000000000';
  if (a) ch.callUuid = a.uuid;
  const now = sw.clock.nowUs();
  ch.profile = {
    ...(a?.profile?.username ? { username: a.profile.username } : {}),
    // An api originate leg's profile has no dialplan or network address; a bridge b-leg copies the a-leg's.
    dialplan: loop ? 'xml' : a ? a.profile?.dialplan ?? 'XML' : '', callerIdName: cidName, callerIdNumber: cidNum,
    origCallerIdName: cidName, origCallerIdNumber: cidNum, calleeIdName: 'Outbound Call',
    calleeIdNumber: loop ? leg.detail : destination,
    networkAddr: a && !loop ? a.profile?.networkAddr ?? '' : '', ani: cidNum, destinationNumber: destination,
    source: loop ? 'mod_loopback' : a ? a.profile?.source ?? 'mod_sofia' : 'src/switch_ivr_originate.c',
    context: loop ? leg.detail : a?.profile?.context ?? 'default',
    // The b-leg's profile is cloned from the a-leg's: a transferred caller's RDNIS comes along (capture 23).
    ...(a?.profile?.rdnis && !loop ? { rdnis: a.profile.rdnis } : {}),
    profileIndex: 1, profileCreatedUs: now,
  };
  // CHANNEL_OUTGOING: the caller profile is attached, the state machine has not run yet.
  ch.runningState = 'CS_NONE';
  ch.state = 'CS_INIT';
  sw.chEvent('CHANNEL_OUTGOING', ch);
  ch.presenceId = presence;
  const loopB = loop ? (setLoopbackAVars(sw, ch, leg), createLoopbackB(sw, ch, leg)) : undefined;
  // The profile in the channel name: for user/<id>, the one the phone registered on (sofia_contact).
  const prof = sw.config.profiles.find((p) => name.startsWith(`sofia/${p.name}/`)) ?? sw.config.profiles[0];
  if (!loop) setOutgoingCreateVars(ch, leg, prof, sw.sessionId(), a);
  ch.runningState = 'CS_INIT';
  sw.chEvent('CHANNEL_STATE', ch);
  ch.state = 'CS_ROUTING';
  sw.chEvent('CHANNEL_CREATE', ch);
  // mod_loopback creates the -b leg while the -a leg initialises; it routes like an inbound call.
  if (loopB) startLoopbackB(sw, loopB);
  sw.chEvent('CHANNEL_ORIGINATE', ch);
  ch.runningState = 'CS_ROUTING';
  sw.chEvent('CHANNEL_STATE', ch);
  ch.state = 'CS_CONSUME_MEDIA';
  sw.presence(ch);
  ch.runningState = 'CS_CONSUME_MEDIA';
  sw.chEvent('CHANNEL_STATE', ch);
  // mod_sofia puts every sip_h_<name> variable of the leg into its INVITE as `<name>: value`.
  const headers = Object.fromEntries([...ch.vars.entries()].filter(([k]) => k.startsWith('sip_h_')).map(([k, val]) => [k.slice(6), val]));
  sw.endpoints.emit({ type: 'ringing', uuid: ch.uuid, to: destination, from: cidNum, channel: ch.name, ...(Object.keys(headers).length ? { headers } : {}) });
  const timeoutMs = (Number(v.originate_timeout ?? opts.timeoutSec ?? 60) || 60) * 1000;
  const outcome = loop ? await loopbackOutcome(sw, ch, timeoutMs, a) : await sw.endpoints.farEnd(ch, behaviour, timeoutMs, a);
  if (outcome !== 'answered') {
    if (!ch.isHungUp) {
      // The CANCEL's outcome is recorded as the leg reports (capture 15: at CHANNEL_HANGUP_COMPLETE).
      if (!loop && (outcome === 'NO_ANSWER' || outcome === 'ORIGINATOR_CANCEL')) ch.onReport = () => setOutgoingCancelVars(ch);
      sw.hangup(ch, outcome);
    }
    return { ok: false, cause: ch.hangupCause ?? outcome, leg: ch };
  }
  return { ok: true, cause: 'SUCCESS', leg: ch };
}

/**
 * switch_channel_flip_cid, run by originate on the answered leg it hands to an application: the
 * callee becomes the caller ("Outbound Call" / the dialled number), the leg counts as having hit
 * the dialplan, and sofia tells the phone (CALL_UPDATE, Direction RECV) (captures 05, 11, 22).
 */
export function flipCid(sw: SwitchCore, ch: Channel): void {
  const p = ch.profile;
  if (!p) return;
  if (ch.endpoint === 'loopback') ch.vars.set('endpoint_disposition', 'ANSWER');
  ch.vars.set('pre_transfer_caller_id_name', p.callerIdName || undefined);
  ch.vars.set('pre_transfer_caller_id_number', p.callerIdNumber || undefined);
  ch.vars.set('channel_cid_flipped', 'yes');
  const [name, num] = [p.callerIdName, p.callerIdNumber];
  p.callerIdName = p.calleeIdName ?? '';
  p.callerIdNumber = p.calleeIdNumber ?? '';
  p.calleeIdName = name;
  p.calleeIdNumber = num;
  ch.hitDialplan = true;
  // A user/<id> leg was created by the user endpoint's own originate (the directory's dial-string):
  // handing the answered leg back out, the outer originate fires CHANNEL_OUTGOING for it once more
  // (differential test, internal-profile scenario: CS_CONSUME_MEDIA, answered, before CALL_UPDATE).
  if (ch.endpoint === 'sofia' && ch.vars.get('dialed_user') !== undefined) sw.chEvent('CHANNEL_OUTGOING', ch);
  if (ch.endpoint === 'sofia') sw.chEvent('CALL_UPDATE', ch, { pre: [['Direction', 'RECV']] });
}

/** The bridge application: dial, then bridge until one side hangs up. */
export async function bridgeApp(sw: SwitchCore, a: Channel, arg: string): Promise<string | undefined> {
  const legs = parseDialString(arg);
  // An answered a-leg waits for the b-leg in RING_WAIT (capture 23); an unanswered one shows nothing
  // until the b-leg answers (capture 18).
  if (a.answered) sw.setCallState(a, 'RING_WAIT');
  let res: OriginateResult = { ok: false, cause: 'INVALID_NUMBER_FORMAT' };
  for (const leg of legs) {
    res = await dialLeg(sw, leg, { aLeg: a, timeoutSec: Number(a.vars.get('call_timeout') ?? leg.vars.originate_timeout ?? 60) });
    if (res.ok || a.isHungUp) break;
  }
  const b = res.leg;
  if (!res.ok || !b || a.isHungUp) {
    a.vars.set('originate_disposition', res.cause);
    a.vars.set('DIALSTATUS', res.cause === 'USER_BUSY' ? 'BUSY' : res.cause === 'NO_ANSWER' ? 'NOANSWER' : res.cause);
    if (b && !b.isHungUp) sw.hangup(b, 'ORIGINATOR_CANCEL');
    if (!a.isHungUp) sw.setCallState(a, a.answered ? 'ACTIVE' : 'RINGING');
    // mod_dptools' bridge: without continue_on_fail (true, or a list naming this cause) a failed
    // bridge hangs the caller up with the originate's cause; with it the dialplan goes on.
    if (!a.isHungUp && !continueOnFail(a.vars.get('continue_on_fail'), res.cause)) sw.hangup(a, res.cause);
    return undefined;
  }
  // b keeps the copy of a's profile it was originated with.
  const aProfileCopy = a.profile ? { ...a.profile } : undefined;
  const originated = `${b.uuid};${b.profile?.calleeIdName ?? ''};${b.profile?.calleeIdNumber ?? ''}`;
  setOriginateVars(a, b, originated);
  // The b-leg's identity becomes the a-leg's callee; switch_ivr_originate records its results.
  if (a.profile && b.profile) {
    a.profile.calleeIdName = b.profile.calleeIdName;
    a.profile.calleeIdNumber = b.profile.calleeIdNumber;
  }
  if (!a.answered) {
    // The b-leg's answer is passed through: ring-ready, early media, answer (capture 18).
    if (a.endpoint === 'sofia' && !a.vars.has('sip_to_tag')) a.vars.set('sip_to_tag', Math.random().toString(36).slice(2, 15));
    sw.ringReady(a);
    sw.answer(a);
  } else {
    // Already answered: the b-leg's ringing only marks the progress time (progress_stamp, no
    // CHANNEL_PROGRESS), and the a-leg knows its originatee when it leaves RING_WAIT (capture 23).
    if (!a.times.progress) a.times.progress = sw.clock.nowUs();
    a.other = { type: 'originatee', uuid: b.uuid, ref: b };
    sw.setCallState(a, 'ACTIVE');
  }
  const claim = a.claim;
  await bridgeLegs(sw, a, b, { app: true, originateCauses: `${b.uuid};NONE`, ...(aProfileCopy ? { aProfileCopy } : {}) });
  // Transferred or taken by a uuid_bridge (CF_TRANSFER): the a-leg's thread goes on with that.
  if (a.isHungUp || a.claim !== claim || a.transferTo || a.inBridge) return undefined;
  // Left behind: park_after_bridge parks it; hangup_after_bridge ends it with the b-leg unless
  // told otherwise; else the dialplan goes on.
  if (isTrue(a.vars.get('park_after_bridge'))) await park(sw, a);
  else if ((a.vars.get('hangup_after_bridge') ?? 'true') !== 'false') sw.hangup(a, b.hangupCause ?? 'NORMAL_CLEARING');
  return undefined;
}

function continueOnFail(v: string | undefined, cause: string): boolean {
  if (!v) return false;
  if (isTrue(v)) return true;
  return v.split(',').map((x) => x.trim()).includes(cause);
}

function setOriginateVars(a: Channel, b: Channel, originated: string): void {
  a.vars.set('originate_disposition', 'SUCCESS');
  a.vars.set('DIALSTATUS', 'SUCCESS');
  a.vars.set('originate_signal_bond', b.uuid);
  a.vars.set('originated_legs', originated);
  const sdp = b.vars.get('switch_r_sdp') ?? b.vars.get('switch_m_sdp');
  if (sdp) a.vars.set('switch_m_sdp', sdp);
}

/** Bridge two answered legs until either hangs up or a break/transfer ends it. */
export async function bridgeLegs(
  sw: SwitchCore, a: Channel, b: Channel,
  opts: { uuidBridge?: boolean; app?: boolean; originateCauses?: string; aProfileCopy?: CallerProfile } = {},
): Promise<void> {
  const now = sw.clock.nowUs();
  // The claim this bridge holds the b-leg with: if it moves on meanwhile, a newer uuid_bridge or a
  // transfer took the leg, and the end of this bridge leaves it alone. (The a-leg's fate is its
  // caller's: the uuid_bridge command or the bridge application, which check the same.)
  const bClaim = b.claim;
  let release = (): void => undefined;
  const ended = new Promise<void>((r) => (release = r));
  a.bridge = { done: ended, threadless: !opts.app };
  b.bridge = { done: ended, threadless: true };
  a.bridgedTo = b.uuid;
  b.bridgedTo = a.uuid;
  a.other = { type: 'originatee', uuid: b.uuid, ref: b };
  b.other = { type: 'originator', uuid: a.uuid, ref: a, ...(opts.aProfileCopy ? { profileCopy: opts.aProfileCopy } : {}) };
  a.times.bridged = now;
  b.times.bridged = now;
  // uuid_bridge names the partner before CHANNEL_BRIDGE (capture 08); the bridge application's
  // a-leg learns it with the display update after (captures 18, 23).
  const setPartnerVars = (): void => {
    a.vars.set('bridge_channel', b.name);
    a.vars.set('bridge_uuid', b.uuid);
  };
  if (!opts.app) setPartnerVars();
  a.vars.set('signal_bond', b.uuid);
  if (opts.originateCauses) a.vars.set('originate_causes', opts.originateCauses);
  // The originate's signal bond gives way to the bridge's (capture 18: gone by CHANNEL_BRIDGE).
  if (opts.app) a.vars.unset('originate_signal_bond');
  if (opts.uuidBridge) {
    // uuid_bridge runs the bridge from the originator's CS_SOFT_EXECUTE (capture 08).
    a.state = 'CS_SOFT_EXECUTE';
    sw.run(a, 'CS_SOFT_EXECUTE');
    if (a.profile && b.profile) {
      a.profile.calleeIdName = b.profile.calleeIdName;
      a.profile.calleeIdNumber = b.profile.calleeIdNumber;
    }
  }
  sw.chEvent('CHANNEL_BRIDGE', a, { pre: [['Bridge-A-Unique-ID', a.uuid], ['Bridge-B-Unique-ID', b.uuid]] });
  b.state = 'CS_EXCHANGE_MEDIA';
  sw.run(b, 'CS_EXCHANGE_MEDIA');
  const sentA: [string, string] = [a.profile?.callerIdName ?? '', a.profile?.callerIdNumber ?? ''];
  const sentB: [string, string] = ['Outbound Call', b.profile?.destinationNumber ?? ''];
  b.vars.set('bridge_to', a.uuid);
  b.vars.set('last_bridge_to', a.uuid);
  b.vars.set('bridge_channel', a.name);
  b.vars.set('bridge_uuid', a.uuid);
  if (opts.uuidBridge) b.vars.set('signal_bond', a.uuid);
  b.vars.set('last_sent_callee_id_name', sentA[0]);
  b.vars.set('last_sent_callee_id_number', sentA[1]);
  if (opts.app) {
    setPartnerVars();
    a.vars.set('bridge_to', b.uuid);
    a.vars.set('last_bridge_to', b.uuid);
    a.vars.set('last_sent_callee_id_name', sentB[0]);
    a.vars.set('last_sent_callee_id_number', sentB[1]);
    // The caller's ACK of the 200 OK.
    if (a.endpoint === 'sofia' && a.direction === 'inbound') a.vars.set('sip_cseq', a.vars.get('sip_cseq') ?? '1');
  }
  // sofia's display update names the bridge partner (Bridged-To) when there is one (captures 18, 23).
  sw.chEvent('CALL_UPDATE', b, { pre: [['Direction', 'SEND'], ['Sent-Callee-ID-Name', sentA[0]], ['Sent-Callee-ID-Number', sentA[1]], ['Bridged-To', a.uuid]] });
  sw.chEvent('CALL_UPDATE', a, { pre: [['Direction', 'SEND'], ['Sent-Callee-ID-Name', sentB[0]], ['Sent-Callee-ID-Number', sentB[1]], ['Bridged-To', b.uuid]] });
  sw.endpoints.emit({ type: 'bridged', uuid: a.uuid, peer: b.uuid });
  // The leg whose hangup ends the bridge records its role (captures 18, 23: the caller hangs up
  // and has last_bridge_role=originator; census 27: the agent hangs up and the caller has none).
  a.beforeHangupEvent = () => a.vars.set('last_bridge_role', 'originator');
  b.beforeHangupEvent = () => b.vars.set('last_bridge_role', 'originatee');
  const aSig = a.resetBreak();
  const bSig = b.resetBreak();
  b.busy = true;
  // switch_ivr_bridge reads each leg's DTMF and sends it to the other (events on the reading leg).
  const stopA = readDtmf(sw, a);
  const stopB = readDtmf(sw, b);
  await new Promise<void>((r) => {
    const done = (): void => r();
    if (aSig.aborted || bSig.aborted) return r();
    aSig.addEventListener('abort', done, { once: true });
    bSig.addEventListener('abort', done, { once: true });
  });
  stopA();
  stopB();
  // A newer bridge may already point a leg elsewhere: only what this bridge set is cleared.
  if (a.bridgedTo === b.uuid) a.bridgedTo = undefined;
  if (b.bridgedTo === a.uuid) b.bridgedTo = undefined;
  a.beforeHangupEvent = undefined;
  b.beforeHangupEvent = undefined;
  b.busy = false;
  const bTaken = b.claim !== bClaim;
  b.vars.unset('bridge_to');
  a.vars.unset('bridge_to');
  // The b-leg's hangup state runs first; the a-leg reports CHANNEL_UNBRIDGE from its bridge
  // thread; then the b-leg reports (capture 18: b CS_HANGUP, a UNBRIDGE, b HANGUP_COMPLETE).
  if (b.isHungUp) sw.hangupState(b);
  a.vars.set('last_bridge_to', b.uuid);
  a.vars.set('last_sent_callee_id_name', sentB[0]);
  a.vars.set('last_sent_callee_id_number', sentB[1]);
  if (b.isHungUp && !a.isHungUp) {
    // The b-leg's far end hung up: its cause (and SIP cause) travel to the a-leg (census 27).
    a.vars.set('last_bridge_hangup_cause', b.hangupCause);
    const proto = b.vars.get('proto_specific_hangup_cause');
    if (proto) {
      a.vars.set('last_bridge_proto_specific_hangup_cause', proto);
      if (a.endpoint === 'sofia') a.vars.set('sip_hangup_phrase', sipPhrase(proto));
    }
  }
  a.vars.set('bridge_hangup_cause', b.hangupCause ?? a.hangupCause ?? 'NORMAL_CLEARING');
  sw.chEvent('CHANNEL_UNBRIDGE', a, { pre: [['Bridge-A-Unique-ID', a.uuid], ['Bridge-B-Unique-ID', b.uuid]] });
  if (a.isHungUp && !b.isHungUp && !bTaken) {
    b.vars.set('last_bridge_hangup_cause', a.hangupCause);
    // A SIP cause the a-leg received (its BYE: proto_specific_hangup_cause sip:200) travels to the
    // b-leg, whose own BYE then carries its reason phrase (captures 18, 23); a uuid_kill'ed a-leg
    // has none (capture 08).
    const proto = a.vars.get('proto_specific_hangup_cause');
    if (proto) {
      b.vars.set('last_bridge_proto_specific_hangup_cause', proto);
      if (b.endpoint === 'sofia') b.vars.set('sip_hangup_phrase', sipPhrase(proto));
    }
    // Set by the bridge thread after the hangup: CHANNEL_HANGUP does not show it, HANGUP_COMPLETE does.
    const cause = a.hangupCause;
    const report = b.onReport;
    b.onReport = () => {
      report?.();
      b.vars.set('bridge_hangup_cause', cause);
    };
    // The originatee outlives its originator only with park_after_bridge of its own.
    if (isTrue(b.vars.get('park_after_bridge'))) b.onReport = report;
  }
  for (const l of [a, b]) if (l.bridge?.done === ended) l.bridge = undefined;
  release();
  // Left behind (its partner hung up, was transferred or re-bridged): its own park_after_bridge
  // decides between parking and hanging up (after-bridge.ts).
  if (!b.isHungUp && !bTaken) leftBehind(sw, b);
  // A leg taken by a newer bridge or a transfer is finished by its new owner.
  if (b.isHungUp && (!bTaken || !b.inBridge)) finishWhenIdle(sw, b);
}

function sipPhrase(proto: string): string {
  const code = Number(proto.replace(/^sip:/, ''));
  return ({ 200: 'OK', 486: 'Busy Here', 480: 'Temporarily Unavailable', 487: 'Request Terminated', 603: 'Decline' } as Record<number, string>)[code] ?? 'OK';
}

export type { EndpointBehaviour };
