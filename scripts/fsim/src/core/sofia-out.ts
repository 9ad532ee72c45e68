// Channel variables of an outgoing sofia leg, in the stages mod_sofia sets them (captures 11, 15,
// 16, 18, 22): the INVITE being built (CHANNEL_CREATE), the 18x reply (CHANNEL_PROGRESS), the 200
// with its SDP (CHANNEL_ANSWER), a final error reply (CHANNEL_HANGUP). Values are plausible
// inventions; names and stages are what clients can see.
import type { Channel } from './channel.ts';
import type { DialLeg } from './dialstring.ts';
import type { SofiaProfileConfig } from './config.ts';
import { remoteSdp, setMediaVars, setLocalSdp } from './sofia-vars.ts';

const rnd = (n: number): string => String(Math.floor(Math.random() * n));
const tag = (): string => Math.random().toString(36).slice(2, 15);

/** The SIP URI part of a sofia channel name: sofia/internal/agent@127.0.0.1:5070 -> agent@127.0.0.1:5070. */
function uriOf(ch: Channel): string {
  return ch.name.split('/').slice(2).join('/');
}

/** At CHANNEL_CREATE: what sofia_outgoing_channel and the originate core set. */
export function setOutgoingCreateVars(ch: Channel, leg: DialLeg, prof: SofiaProfileConfig | undefined, sessionId: number, a: Channel | undefined): void {
  const v = ch.vars;
  const ip = prof?.ip ?? '127.0.0.1';
  const uri = uriOf(ch);
  const host = uri.split('@')[1] ?? uri;
  v.set('direction', 'outbound');
  v.set('is_outbound', 'true');
  v.set('uuid', ch.uuid);
  // An originate leg is its own call; a bridge b-leg takes the a-leg's call_uuid later.
  if (!a) v.set('call_uuid', ch.uuid);
  v.set('session_id', String(sessionId));
  v.set('sip_local_network_addr', ip);
  v.set('sip_profile_name', prof?.name ?? 'internal');
  if (!a) v.set('video_media_flow', 'disabled');
  v.set('text_media_flow', 'disabled');
  v.set('channel_name', ch.name);
  v.set('sip_destination_url', `sip:${uri}`);
  for (const [k, val] of Object.entries(leg.vars)) v.set(k, val);
  if (leg.kind === 'user') {
    v.set('dialed_user', leg.target);
    v.set('dialed_domain', leg.detail.split('@')[1] ?? ip);
    v.set('sip_invite_domain', leg.detail.split('@')[1] ?? ip);
    v.set('presence_id', ch.presenceId);
  }
  if (a) {
    v.set('max_forwards', '69');
    v.set('originator_codec', 'CORE_PCM_MODULE.PCMU@8000h@20i@64000b');
    v.set('originator', a.uuid);
    v.set('signal_bond', a.uuid);
    v.set('switch_m_sdp', remoteSdp(a.vars.get('sip_network_ip') ?? ip));
    v.set('call_uuid', a.uuid);
  }
  v.set('originate_early_media', 'true');
  if (a) v.set('originating_leg_uuid', a.uuid);
  v.set('originate_endpoint', 'sofia');
  v.set('rtp_use_codec_string', a ? 'CORE_PCM_MODULE.PCMU@8000h@20i@64000b' : 'PCMU,PCMA');
  const port = 16384 + Math.floor(Math.random() * 8000) * 2;
  v.set('local_media_ip', ip);
  v.set('local_media_port', String(port));
  v.set('advertised_media_ip', ip);
  v.set('audio_media_flow', 'sendrecv');
  // The a-leg's SDP offered video: the b-leg's INVITE mirrors it (capture 18).
  if (a) v.set('video_media_flow', 'sendrecv');
  setLocalSdp(ch, ip);
  v.set('sip_outgoing_contact_uri', `<sip:mod_sofia@${ip}:${prof?.port ?? 5060}>`);
  v.set('sip_req_uri', uri);
  v.set('sip_to_host', host);
  v.set('sip_from_host', ip);
  v.set('sofia_profile_name', prof?.name ?? 'internal');
  v.set('recovery_profile_name', prof?.name ?? 'internal');
  v.set('sofia_profile_url', `sip:mod_sofia@${ip}:${prof?.port ?? 5060}`);
}

/** The first reply with a dialog (180/183/200): the dialog's headers become sip_* variables. */
export function setOutgoingReplyVars(ch: Channel): void {
  const v = ch.vars;
  if (v.has('sip_to_tag')) return;
  const uri = uriOf(ch);
  const [user = '', hostPort = '127.0.0.1'] = uri.split('@');
  const [host = '127.0.0.1', port = '5060'] = hostPort.split(':');
  const p = ch.profile;
  const fromUser = p?.callerIdNumber || '0000000000';
  const ip = v.get('sip_local_network_addr') ?? '127.0.0.1';
  const branch = `z9hG4bK${tag()}`;
  const toTag = `${rnd(99999)}SIPpTag01${rnd(9)}`;
  const fromTag = tag();
  const pairs: [string, string | undefined][] = [
    ['sip_reply_host', host], ['sip_reply_port', port], ['sip_network_ip', host], ['sip_network_port', port],
    ['sip_recover_contact', `<sip:${hostPort};transport=UDP>`], ['sip_full_via', `SIP/2.0/UDP ${ip};rport;branch=${branch}`],
    ['sip_recover_via', `SIP/2.0/UDP ${ip};rport;branch=${branch}`], ['sip_from_display', p?.callerIdName || undefined],
    ['sip_full_from', `${p?.callerIdName ? `"${p.callerIdName}" ` : ''}<sip:${fromUser}@${ip}>;tag=${fromTag}`],
    ['sip_full_to', `<sip:${uri}>;tag=${toTag}`], ['sip_from_user', fromUser], ['sip_from_uri', `${fromUser}@${ip}`],
    ['sip_from_host', ip], ['sip_to_user', user], ['sip_to_port', port], ['sip_to_uri', uri], ['sip_to_host', host],
    ['sip_contact_params', 'transport=UDP'], ['sip_contact_user', 'nobody'], ['sip_contact_port', port],
    ['sip_contact_uri', `nobody@${hostPort}`], ['sip_contact_host', host], ['sip_to_tag', toTag], ['sip_from_tag', fromTag],
    ['sip_cseq', rnd(999999999)], ['sip_call_id', `${crypto.randomUUID()}`],
  ];
  for (const [k, val] of pairs) v.set(k, val);
}

/** The 200 OK's SDP: the far end's SDP, then the negotiated media (CHANNEL_ANSWER). */
export function setOutgoingAnswerVars(ch: Channel, ip: string): void {
  setOutgoingReplyVars(ch);
  const v = ch.vars;
  v.set('switch_r_sdp', remoteSdp(v.get('sip_network_ip') ?? ip));
  v.set('ep_codec_string', 'CORE_PCM_MODULE.PCMU@8000h@20i@64000b');
  const keep = { port: v.get('local_media_port'), flow: v.get('audio_media_flow') };
  setMediaVars(ch, ip);
  if (keep.port) v.set('local_media_port', keep.port);
  if (keep.flow) v.set('audio_media_flow', keep.flow);
}

/** A final error reply to the INVITE (486 Busy Here ...): set as the leg hangs up (capture 16). */
export function setOutgoingFailureVars(ch: Channel, code: number, phrase: string, cause: string): void {
  const v = ch.vars;
  const [hostPort = '127.0.0.1:5060'] = uriOf(ch).split('@').slice(1);
  const [host = '127.0.0.1', port = '5060'] = hostPort.split(':');
  v.set('sip_call_id', crypto.randomUUID());
  v.set('sip_reply_host', host);
  v.set('sip_reply_port', port);
  v.set('sip_network_ip', host);
  v.set('sip_network_port', port);
  v.set('sip_hangup_disposition', 'recv_refuse');
  v.set('sip_invite_failure_status', String(code));
  v.set('sip_invite_failure_phrase', phrase);
  v.set('sip_term_status', String(code));
  v.set('proto_specific_hangup_cause', `sip:${code}`);
  v.set('sip_term_cause', cause);
  if (ch.profile) ch.profile.networkAddr = host;
}

/** We cancelled a ringing INVITE (originate timeout / caller gone): CANCEL, 487 (capture 15). */
export function setOutgoingCancelVars(ch: Channel): void {
  const v = ch.vars;
  v.set('sip_hangup_disposition', 'send_cancel');
  v.set('sip_invite_failure_status', '487');
  v.set('sip_invite_failure_phrase', 'CANCEL');
}

export const SIP_REPLY: Readonly<Record<string, [number, string]>> = {
  USER_BUSY: [486, 'Busy Here'], CALL_REJECTED: [603, 'Decline'], NO_ANSWER: [480, 'Temporarily Unavailable'],
  UNALLOCATED_NUMBER: [404, 'Not Found'], NORMAL_TEMPORARY_FAILURE: [503, 'Service Unavailable'],
  NO_USER_RESPONSE: [408, 'Request Timeout'], DESTINATION_OUT_OF_ORDER: [502, 'Bad Gateway'],
};
