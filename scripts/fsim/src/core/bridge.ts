// Outgoing legs (originate / bridge) and two-leg bridging, with FreeSWITCH's event order:
// CHANNEL_OUTGOING, CHANNEL_STATE CS_INIT, CHANNEL_CREATE, CHANNEL_ORIGINATE, CS_ROUTING,
// CS_CONSUME_MEDIA, CHANNEL_PROGRESS + CALLSTATE RINGING, then CODEC x2, CHANNEL_ANSWER, ACTIVE.
import type { Channel } from './channel.ts';
import type { Switch } from './switch.ts';
import { parseDialString } from './dialstring.ts';
import type { DialLeg } from './dialstring.ts';
import type { EndpointBehaviour } from './config.ts';

export interface OriginateResult {
  ok: boolean;
  cause: string;
  leg?: Channel;
}

/** Dial one leg; resolves when it answers or fails. `aLeg` is the originator when bridging. */
export async function dialLeg(sw: Switch, leg: DialLeg, opts: { aLeg?: Channel; timeoutSec?: number; cidName?: string; cidNumber?: string }): Promise<OriginateResult> {
  const resolved = sw.endpoints.resolve(leg);
  if ('cause' in resolved) return { ok: false, cause: resolved.cause };
  const { name, behaviour, presence, destination, username } = resolved;
  const v = leg.vars;
  const ch = sw.newChannel(name, 'outbound', leg.kind === 'loopback' ? 'loopback' : 'sofia', v.origination_uuid);
  ch.hitDialplan = false;
  const a = opts.aLeg;
  if (a) {
    ch.other = { type: 'originator', uuid: a.uuid };
    ch.callUuid = a.uuid;
  }
  const cidName = v.origination_caller_id_name ?? opts.cidName ?? a?.profile?.callerIdName ?? 'FreeSWITCH';
  const cidNum = v.origination_caller_id_number ?? opts.cidNumber ?? a?.profile?.callerIdNumber ?? '0000000000';
  // CHANNEL_OUTGOING fires before the caller profile is attached and before the state machine runs.
  ch.runningState = 'CS_NONE';
  ch.state = 'CS_INIT';
  ch.callUuid = ch.uuid;
  sw.chEvent('CHANNEL_OUTGOING', ch);
  if (a) ch.callUuid = a.uuid;
  ch.presenceId = presence;
  const now = sw.clock.nowUs();
  ch.profile = {
    ...(username !== undefined ? { username } : {}),
    dialplan: 'XML', callerIdName: cidName, callerIdNumber: cidNum, origCallerIdName: cidName, origCallerIdNumber: cidNum,
    networkAddr: sw.config.profiles[0]?.ip ?? '127.0.0.1', ani: cidNum, destinationNumber: destination,
    source: a ? 'mod_sofia' : 'src/switch_ivr_originate.c', context: a?.profile?.context ?? 'default',
    profileIndex: 1, profileCreatedUs: now,
  };
  setOutboundVars(sw, ch, leg, a);
  ch.runningState = 'CS_INIT';
  sw.chEvent('CHANNEL_STATE', ch);
  ch.state = 'CS_ROUTING';
  sw.chEvent('CHANNEL_CREATE', ch);
  sw.chEvent('CHANNEL_ORIGINATE', ch);
  ch.runningState = 'CS_ROUTING';
  sw.chEvent('CHANNEL_STATE', ch);
  ch.state = 'CS_CONSUME_MEDIA';
  sw.presence(ch);
  ch.runningState = 'CS_CONSUME_MEDIA';
  sw.chEvent('CHANNEL_STATE', ch);
  sw.endpoints.emit({ type: 'ringing', uuid: ch.uuid, to: destination, from: cidNum });
  const timeoutMs = (Number(v.originate_timeout ?? opts.timeoutSec ?? 60) || 60) * 1000;
  const outcome = await sw.endpoints.farEnd(ch, behaviour, timeoutMs, a);
  if (outcome !== 'answered') {
    if (!ch.isHungUp) sw.hangup(ch, outcome);
    return { ok: false, cause: ch.hangupCause ?? outcome, leg: ch };
  }
  return { ok: true, cause: 'SUCCESS', leg: ch };
}

function setOutboundVars(sw: Switch, ch: Channel, leg: DialLeg, a: Channel | undefined): void {
  const vs = ch.vars;
  vs.set('direction', 'outbound');
  vs.set('is_outbound', 'true');
  vs.set('uuid', ch.uuid);
  vs.set('session_id', String(sw.sessionId()));
  for (const [k, val] of Object.entries(leg.vars)) vs.set(k, val);
  if (ch.endpoint === 'sofia') {
    const prof = sw.config.profiles[0];
    vs.set('sip_local_network_addr', prof?.ip ?? '127.0.0.1');
    vs.set('sip_profile_name', prof?.name ?? 'internal');
    vs.set('text_media_flow', 'disabled');
    vs.set('channel_name', ch.name);
    vs.set('sip_destination_url', `sip:${ch.name.split('/').slice(2).join('/')}`);
    if (a) {
      vs.set('max_forwards', '69');
      vs.set('originator_codec', 'PCMU@8000h@20i');
      vs.set('originator', a.uuid);
      vs.set('signal_bond', a.uuid);
      vs.set('call_uuid', a.uuid);
      vs.set('originate_early_media', 'true');
      vs.set('originating_leg_uuid', a.uuid);
    }
    vs.set('originate_endpoint', 'sofia');
    vs.set('rtp_use_codec_string', 'PCMU@8000h@20i');
    vs.set('sofia_profile_name', prof?.name ?? 'internal');
    vs.set('recovery_profile_name', prof?.name ?? 'internal');
    vs.set('sofia_profile_url', `sip:mod_sofia@${prof?.ip ?? '127.0.0.1'}:${prof?.port ?? 5060}`);
  } else {
    vs.set('channel_name', ch.name);
    vs.set('originate_endpoint', 'loopback');
  }
  // X-headers to send: sip_h_* variables go out on the INVITE (capture 22).
}

/** The bridge application: dial, then bridge until one side hangs up. */
export async function bridgeApp(sw: Switch, a: Channel, arg: string): Promise<string | undefined> {
  const legs = parseDialString(arg);
  sw.setCallState(a, 'RING_WAIT');
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
    return undefined;
  }
  if (!a.answered) sw.answer(a);
  else sw.setCallState(a, 'ACTIVE');
  a.vars.set('originate_disposition', 'SUCCESS');
  a.vars.set('DIALSTATUS', 'SUCCESS');
  await bridgeLegs(sw, a, b);
  // hangup_after_bridge: the a-leg ends with the b-leg unless told otherwise.
  if (!a.isHungUp && (a.vars.get('hangup_after_bridge') ?? 'true') !== 'false') sw.hangup(a, b.hangupCause ?? 'NORMAL_CLEARING');
  return undefined;
}

/** Bridge two answered legs until either hangs up or a break/transfer ends it. */
export async function bridgeLegs(sw: Switch, a: Channel, b: Channel): Promise<void> {
  const now = sw.clock.nowUs();
  a.bridgedTo = b.uuid;
  b.bridgedTo = a.uuid;
  a.other = { type: 'originatee', uuid: b.uuid };
  b.other = { type: 'originator', uuid: a.uuid };
  a.times.bridged = now;
  b.times.bridged = now;
  a.vars.set('bridge_uuid', b.uuid);
  a.vars.set('signal_bond', b.uuid);
  b.vars.set('bridge_uuid', a.uuid);
  sw.chEvent('CHANNEL_BRIDGE', a, { pre: [['Bridge-A-Unique-ID', a.uuid], ['Bridge-B-Unique-ID', b.uuid]] });
  b.state = 'CS_EXCHANGE_MEDIA';
  sw.run(b, 'CS_EXCHANGE_MEDIA');
  sw.chEvent('CALL_UPDATE', b, { pre: [['Direction', 'SEND'], ['Sent-Callee-ID-Name', a.profile?.callerIdName ?? ''], ['Sent-Callee-ID-Number', a.profile?.callerIdNumber ?? '']] });
  sw.chEvent('CALL_UPDATE', a, { pre: [['Direction', 'SEND'], ['Sent-Callee-ID-Name', 'Outbound Call'], ['Sent-Callee-ID-Number', b.profile?.destinationNumber ?? '']] });
  sw.endpoints.emit({ type: 'bridged', uuid: a.uuid, peer: b.uuid });
  const aSig = a.resetBreak();
  const bSig = b.resetBreak();
  b.busy = true;
  await new Promise<void>((r) => {
    const done = (): void => r();
    if (aSig.aborted || bSig.aborted) return r();
    aSig.addEventListener('abort', done, { once: true });
    bSig.addEventListener('abort', done, { once: true });
  });
  a.bridgedTo = undefined;
  b.bridgedTo = undefined;
  b.busy = false;
  // The b-leg's hangup runs first; the a-leg reports CHANNEL_UNBRIDGE from its bridge thread.
  if (b.isHungUp) sw.finish(b);
  sw.chEvent('CHANNEL_UNBRIDGE', a, { pre: [['Bridge-A-Unique-ID', a.uuid], ['Bridge-B-Unique-ID', b.uuid]] });
  if (a.isHungUp && !b.isHungUp) sw.hangup(b, 'NORMAL_CLEARING');
  if (!b.isHungUp && !b.destroyed) {
    // b survives (a was transferred / broken): it parks.
    void import('./apps.ts').then((m) => m.park(sw, b)).catch(() => undefined);
  }
}

export type { EndpointBehaviour };
