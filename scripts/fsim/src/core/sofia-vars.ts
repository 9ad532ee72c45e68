// Synthesised channel variables for sofia (SIP) channels, set in the order mod_sofia sets them,
// so variable_* lists match real captures in names and order (values are plausible inventions).
import type { Channel } from './channel.ts';
import { formatLocal } from './clock.ts';

export interface InboundSip {
  fromUser: string;
  fromDisplay: string;
  fromHost: string;
  fromPort: number;
  profile: string;
  profileIp: string;
  profilePort: number;
  dest: string;
  callId: string;
  fromTag: string;
  sessionId: number;
  stampUs: number;
  /** Extra SIP headers (X-...), become sip_h_* variables. */
  headers?: Readonly<Record<string, string>>;
}

const rnd = (n: number): string => String(Math.floor(Math.random() * n));

export function setInboundVars(ch: Channel, s: InboundSip): void {
  const v = ch.vars;
  const from = `${s.fromUser}@${s.fromHost}:${s.fromPort}`;
  const req = `${s.dest}@${s.profileIp}:${s.profilePort}`;
  const pairs: [string, string][] = [
    ['direction', 'inbound'], ['uuid', ch.uuid], ['call_uuid', ch.uuid], ['session_id', String(s.sessionId)],
    ['sip_from_user', s.fromUser], ['sip_from_port', String(s.fromPort)], ['sip_from_uri', from],
    ['sip_from_host', s.fromHost], ['video_media_flow', 'disabled'], ['audio_media_flow', 'disabled'],
    ['text_media_flow', 'disabled'], ['channel_name', ch.name], ['sip_call_id', s.callId],
    ['sip_local_network_addr', s.profileIp], ['sip_network_ip', s.fromHost], ['sip_network_port', String(s.fromPort)],
    ['sip_invite_stamp', String(s.stampUs)], ['sip_received_ip', s.fromHost], ['sip_received_port', String(s.fromPort)],
    ['sip_via_protocol', 'udp'], ['sip_authorized', 'true'], ['sip_acl_authed_by', 'loopback.auto'],
    ['sip_from_user_stripped', s.fromUser], ['sip_from_tag', s.fromTag], ['sofia_profile_name', s.profile],
    ['sofia_profile_url', `sip:mod_sofia@${s.profileIp}:${s.profilePort}`], ['recovery_profile_name', s.profile],
    ['sip_full_via', `SIP/2.0/UDP ${s.fromHost}:${s.fromPort};branch=z9hG4bK-${rnd(99999)}-1-0`],
    ['sip_from_display', s.fromDisplay], ['sip_full_from', `${s.fromDisplay} <sip:${from}>;tag=${s.fromTag}`],
    ['sip_full_to', `<sip:${req}>`], ['sip_req_user', s.dest], ['sip_req_port', String(s.profilePort)],
    ['sip_req_uri', req], ['sip_req_host', s.profileIp], ['sip_to_user', s.dest], ['sip_to_port', String(s.profilePort)],
    ['sip_to_uri', req], ['sip_to_host', s.profileIp], ['sip_contact_user', s.fromUser],
    ['sip_contact_port', String(s.fromPort)], ['sip_contact_uri', from], ['sip_contact_host', s.fromHost],
    ['rtp_use_codec_string', 'PCMU,PCMA'],
  ];
  for (const [k, val] of pairs) v.set(k, val);
  // X-headers arrive as sip_h_* before the remaining INVITE headers are read (capture 21).
  for (const [k, val] of Object.entries(s.headers ?? {})) v.set(`sip_h_${k}`, val);
  v.set('sip_subject', 'local acceptance test');
  v.set('sip_via_host', s.fromHost);
  v.set('sip_via_port', String(s.fromPort));
  v.set('max_forwards', '70');
  v.set('presence_id', `${s.fromUser}@${s.fromHost}`);
  v.set('switch_r_sdp', remoteSdp(s.fromHost));
  v.set('ep_codec_string', 'CORE_PCM_MODULE.PCMU@8000h@20i@64000b');
  v.set('endpoint_disposition', 'DELAYED NEGOTIATION');
}

export function remoteSdp(ip: string): string {
  return `v=0\r\no=user1 53655765 2353687637 IN IP4 ${ip}\r\ns=-\r\nc=IN IP4 ${ip}\r\nt=0 0\r\nm=audio 6102 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n`;
}

function localSdp(ip: string, port: number): string {
  const o = 1795299582 + Math.floor(Math.random() * 1000);
  return `v=0\r\no=FreeSWITCH ${o} ${o + 1} IN IP4 ${ip}\r\ns=FreeSWITCH\r\nc=IN IP4 ${ip}\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n`;
}

/** Media negotiation (codec chosen, RTP set up): set just before CHANNEL_PROGRESS_MEDIA / ANSWER. */
export function setMediaVars(ch: Channel, ip: string): void {
  const v = ch.vars;
  const port = 16384 + Math.floor(Math.random() * 16000) * 2;
  const ordered: [string, string][] = [
    ['rtp_use_codec_string', v.get('rtp_use_codec_string') ?? 'PCMU,PCMA'],
    ['remote_video_media_flow', 'inactive'], ['remote_text_media_flow', 'inactive'],
    ['remote_audio_media_flow', 'sendrecv'], ['audio_media_flow', 'sendrecv'], ['rtp_audio_recv_pt', '0'],
    ['rtp_use_codec_name', 'PCMU'], ['rtp_use_codec_rate', '8000'], ['rtp_use_codec_ptime', '20'],
    ['rtp_use_codec_channels', '1'], ['rtp_last_audio_codec_string', 'PCMU@8000h@20i@1c'],
    ['read_codec', 'PCMU'], ['original_read_codec', 'PCMU'], ['read_rate', '8000'], ['original_read_rate', '8000'],
    ['write_codec', 'PCMU'], ['write_rate', '8000'], ['dtmf_type', 'rfc2833'], ['local_media_ip', ip],
    ['local_media_port', String(port)], ['advertised_media_ip', ip], ['rtp_use_timer_name', 'soft'],
    ['rtp_use_pt', '0'], ['rtp_use_ssrc', rnd(4294967295)], ['rtp_2833_send_payload', '101'],
    ['rtp_2833_recv_payload', '101'], ['remote_media_ip', ip], ['remote_media_port', String(6000 + Math.floor(Math.random() * 2000) * 2)],
  ];
  for (const [k, val] of ordered) v.set(k, val);
}

export function setLocalSdp(ch: Channel, ip: string): void {
  ch.vars.set('rtp_local_sdp_str', localSdp(ip, Number(ch.vars.get('local_media_port') ?? 16740)));
}

/** The ACK to our 200 OK re-parses the dialog headers (they move to the end of the list). */
export function setAckVars(ch: Channel): void {
  const v = ch.vars;
  const toTag = Math.random().toString(36).slice(2, 15);
  v.set('sip_to_tag', toTag);
  for (const k of ['sip_from_tag']) v.set(k, v.get(k));
  v.set('sip_cseq', '1');
  for (const k of ['sip_call_id', 'sip_full_via', 'sip_from_display', 'sip_full_from']) v.set(k, v.get(k));
  v.set('sip_full_to', `${v.get('sip_full_to') ?? ''};tag=${toTag}`);
}

const Q850: Readonly<Record<string, number>> = {
  UNALLOCATED_NUMBER: 1, NO_ROUTE_DESTINATION: 3, NORMAL_CLEARING: 16, USER_BUSY: 17, NO_USER_RESPONSE: 18,
  NO_ANSWER: 19, SUBSCRIBER_ABSENT: 20, CALL_REJECTED: 21, NUMBER_CHANGED: 22, DESTINATION_OUT_OF_ORDER: 27,
  INVALID_NUMBER_FORMAT: 28, NORMAL_UNSPECIFIED: 31, NORMAL_TEMPORARY_FAILURE: 41, ORIGINATOR_CANCEL: 487,
  USER_NOT_REGISTERED: 606, BLIND_TRANSFER: 0, ATTENDED_TRANSFER: 0, LOSE_RACE: 502, MANAGER_REQUEST: 503,
  ALLOTTED_TIMEOUT: 602, INCOMPATIBLE_DESTINATION: 88, RECOVERY_ON_TIMER_EXPIRE: 102, MEDIA_TIMEOUT: 604,
  PICKED_OFF: 504, SYSTEM_SHUTDOWN: 16, DESTINATION_OUT_OF_ORDER_: 27,
};

export function q850(cause: string): number {
  return Q850[cause] ?? 16;
}

/** CDR variables FreeSWITCH adds in CS_REPORTING (switch_channel_set_timestamps + mod_sofia stats). */
export function setHangupVars(ch: Channel): void {
  const v = ch.vars;
  const t = ch.times;
  const cause = ch.hangupCause ?? 'NORMAL_CLEARING';
  v.set('hangup_cause', cause);
  v.set('hangup_cause_q850', String(q850(cause)));
  v.set('digits_dialed', 'none');
  const start = t.created;
  v.set('start_stamp', formatLocal(start));
  v.set('profile_start_stamp', formatLocal(start));
  if (t.answered) v.set('answer_stamp', formatLocal(t.answered));
  if (t.bridged) v.set('bridge_stamp', formatLocal(t.bridged));
  if (t.progress) v.set('progress_stamp', formatLocal(t.progress));
  // switch_channel_check_hold / the CDR: the first hold's time and every hold period.
  const firstHold = ch.holdEvents[0];
  if (firstHold) {
    v.set('hold_stamp', formatLocal(firstHold[0]));
    v.set('hold_events', `{${ch.holdEvents.map(([s0, e0]) => `{${s0},${e0}}`).join(',')}}`);
  }
  if (t.progressMedia) v.set('progress_media_stamp', formatLocal(t.progressMedia));
  v.set('end_stamp', formatLocal(t.hangup));
  const ep = (name: string, us: number): void => {
    v.set(`${name}_epoch`, String(Math.floor(us / 1e6)));
    v.set(`${name}_uepoch`, String(us));
  };
  ep('start', start);
  ep('profile_start', start);
  ep('answer', t.answered);
  ep('bridge', t.bridged);
  ep('last_hold', t.lastHold);
  v.set('hold_accum_seconds', String(Math.floor(t.holdAccum / 1e6)));
  v.set('hold_accum_usec', String(t.holdAccum));
  v.set('hold_accum_ms', String(Math.floor(t.holdAccum / 1000)));
  ep('resurrect', t.resurrect);
  ep('progress', t.progress);
  ep('progress_media', t.progressMedia);
  ep('end', t.hangup);
  v.set('last_app', v.get('current_application'));
  v.set('last_arg', v.get('current_application_data'));
  const p = ch.profile;
  v.set('caller_id', p ? `"${p.callerIdName}" <${p.callerIdNumber}>` : '');
  const dur = t.hangup - start;
  const bill = t.answered ? t.hangup - t.answered : 0;
  const prog = t.progress ? t.progress - start : 0;
  const ans = t.answered ? t.answered - start : 0;
  const pm = t.progressMedia ? t.progressMedia - start : 0;
  const sets: [string, number][] = [
    ['duration', dur], ['billsec', bill], ['progresssec', prog], ['answersec', ans], ['waitsec', ans],
    ['progress_mediasec', pm], ['flow_billsec', dur],
  ];
  for (const [k, us] of sets) v.set(k, String(Math.floor(us / 1e6)));
  for (const [k, us] of sets) v.set(k.replace(/sec$/, 'msec').replace('duration', 'mduration'), String(Math.floor(us / 1000)));
  for (const [k, us] of sets) v.set(k.replace(/sec$/, 'usec').replace('duration', 'uduration'), String(us));
  if (ch.endpoint === 'sofia') {
    // A call ended by a completed REFER (uuid_deflect) records no disposition (capture 25).
    if (ch.hangupCause !== 'BLIND_TRANSFER') v.set('sip_hangup_disposition', ch.vars.get('sip_hangup_disposition') ?? 'send_bye');
    if (ch.mediaUp) {
      const pk = Math.floor(bill / 20000);
      const stats: [string, string][] = [
        ['in_raw_bytes', '0'], ['in_media_bytes', '0'], ['in_packet_count', '0'], ['in_media_packet_count', '0'],
        ['in_skip_packet_count', String(pk)], ['in_jitter_packet_count', '0'], ['in_dtmf_packet_count', '0'],
        ['in_cng_packet_count', '0'], ['in_flush_packet_count', '0'], ['in_largest_jb_size', '0'],
        ['in_jitter_min_variance', '0.00'], ['in_jitter_max_variance', '0.00'], ['in_jitter_loss_rate', '0.00'],
        ['in_jitter_burst_rate', '0.00'], ['in_mean_interval', '0.00'], ['in_flaw_total', '0'],
        ['in_quality_percentage', '100.00'], ['in_mos', '4.50'], ['out_raw_bytes', String(pk * 172)],
        ['out_media_bytes', String(pk * 172)], ['out_packet_count', String(pk)], ['out_media_packet_count', String(pk)],
        ['out_skip_packet_count', '0'], ['out_dtmf_packet_count', '0'], ['out_cng_packet_count', '0'],
        ['rtcp_packet_count', '0'], ['rtcp_octet_count', '0'],
      ];
      for (const [k, val] of stats) v.set(`rtp_audio_${k}`, val);
    }
  }
}

/**
 * uuid_set_media_stats: the rtp_audio_* counters of a live sofia leg, now. There is no RTP in
 * fsim: every answered far end is taken to send a packet each 20 ms, and the switch to send one
 * back each 20 ms (a bridge relays the peer's, a conference room mixes and sends every tick).
 */
export function setMediaStats(sw: { clock: { nowUs(): number } }, ch: Channel): void {
  if (ch.endpoint !== 'sofia' || !ch.answered) return;
  const pk = Math.floor((sw.clock.nowUs() - ch.times.answered) / 20000);
  const stats: [string, number][] = [
    ['in_raw_bytes', pk * 172], ['in_media_bytes', pk * 160], ['in_packet_count', pk], ['in_media_packet_count', pk],
    ['out_raw_bytes', pk * 172], ['out_media_bytes', pk * 160], ['out_packet_count', pk], ['out_media_packet_count', pk],
  ];
  for (const [k, n] of stats) ch.vars.set(`rtp_audio_${k}`, String(n));
}
