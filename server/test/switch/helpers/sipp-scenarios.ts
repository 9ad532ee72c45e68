// SIPp scenario XML for the switch suite's endpoints, generated per endpoint so each carries its
// own numbers and timings: carrier/110 callers (UAC, PCMA RTP from a pcap, RFC 2833 DTMF), agent
// desk phones and the 110/department/carrier gateways (UAS: answer after N ms, hang up after M ms,
// never answer, reject), and the agents' REGISTER with digest authentication.
//
// SIPp quirks worth knowing: a recv's `timeout`/`ontimeout` only applies while the scenario waits at
// that recv; an `optional` recv lets the next recv match too; [last_*] headers are copied from the
// last message received, so the UAS side captures the INVITE's headers for the requests it sends
// later (a BYE or a 487 must not use the CANCEL's or a re-INVITE's).

export const PCAP_DIR = process.env.SIPP_PCAP_DIR ?? '/usr/share/sip-tester';

const sdp = `v=0
o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8 101
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv`;

const cdata = (s: string): string => `<![CDATA[\n${s.trim()}\n\n]]>`;

/**
 * Audio that never runs out: SIPp's rtp_stream (built with RTPSTREAM) loops a raw PCMA file for as
 * long as the call lasts (loop count -1), where play_pcap_audio plays its 7 s pcap once. The file
 * is written by the runner (sipp.ts) into the run's directory.
 */
export const STREAM_FILE = 'tone.alaw';
const streamAudio = `<nop><action><exec rtp_stream="${STREAM_FILE},-1,8"/></action></nop>`;

/** Answer a re-INVITE (hold, unhold) in the dialog, then go back to `label`. */
function reinvite(label: string): string {
  return `
  <label id="reinvite"/>
  <send>${cdata(`SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Type: application/sdp
Content-Length: [len]

${sdp}`)}</send>
  <recv request="ACK" next="${label}"/>`;
}

/** Loop an A-law WAV as PCMA RTP (SIPp's rtp_stream: file, loops (-1 endless), payload type). */
const toneStream = (file: string): string => `<nop><action><exec rtp_stream="${file},-1,8"/></action></nop>`;

const DTMF_FILE: Record<string, string> = { '*': 'star', '#': 'pound' };

export interface CallerScenario {
  from: string;
  to: string;
  headers?: Readonly<Record<string, string>>;
  /** Play PCMA audio from SIPp's pcap once answered. */
  audio?: boolean;
  /** Instead: stream this A-law WAV (tones.ts) in a loop once answered (SIPp rtp_stream, PCMA). */
  toneFile?: string;
  /** Send PCMA audio for as long as the call lasts (rtp_stream), instead of the 7 s pcap. */
  streamAudio?: boolean;
  /** RFC 2833 digits, each `afterMs` after the previous step (the answer for the first). */
  dtmf?: readonly { afterMs: number; digits: string }[];
  /** Hang up this long after the answer (and after the DTMF) unless the switch hangs up first. */
  hangupAfterMs?: number;
}

/** A carrier or 110 caller: INVITE, 200 (or a refusal), ACK, media, BYE either way. */
export function callerXml(c: CallerScenario): string {
  const headers = Object.entries(c.headers ?? {}).map(([k, v]) => `${k}: ${v}\n`).join('');
  const steps: string[] = [];
  if (c.toneFile) steps.push(toneStream(c.toneFile));
  if (c.streamAudio) steps.push(streamAudio);
  else if (c.audio) steps.push(`<nop><action><exec play_pcap_audio="${PCAP_DIR}/g711a.pcap"/></action></nop>`);
  for (const d of c.dtmf ?? []) {
    steps.push(`<pause milliseconds="${d.afterMs}"/>`);
    for (const digit of d.digits) {
      steps.push(`<nop><action><exec play_pcap_audio="${PCAP_DIR}/dtmf_2833_${DTMF_FILE[digit] ?? digit}.pcap"/></action></nop>`);
      steps.push('<pause milliseconds="400"/>');
    }
  }
  const wait = c.hangupAfterMs === undefined ? '' : ` timeout="${c.hangupAfterMs}" ontimeout="hangup"`;
  const refusals = [403, 404, 480, 486, 487, 500, 503, 603]
    .map((code) => `  <recv response="${code}" optional="true" next="refused"/>`)
    .join('\n');
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="caller">
  <send retrans="500">${cdata(`INVITE sip:${c.to}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "${c.from}" <sip:${c.from}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:${c.to}@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:${c.from}@[local_ip]:[local_port]>
Max-Forwards: 70
${headers}Content-Type: application/sdp
Content-Length: [len]

${sdp}`)}</send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
${refusals}
  <recv response="200" rrs="true"/>
  <send>${cdata(`ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "${c.from}" <sip:${c.from}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:${c.to}@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
[routes]
Max-Forwards: 70
Content-Length: 0`)}</send>
  ${steps.join('\n  ')}
  <label id="talk"/>
  <recv request="INVITE" optional="true"${wait} next="reinvite"/>
  <recv request="BYE"/>
  <send next="end">${cdata(`SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0`)}</send>
${reinvite('talk')}
  <label id="hangup"/>
  <send retrans="500">${cdata(`BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "${c.from}" <sip:${c.from}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:${c.to}@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
[routes]
Max-Forwards: 70
Content-Length: 0`)}</send>
  <recv response="200" next="end"/>
  <label id="refused"/>
  <send next="end">${cdata(`ACK sip:${c.to}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "${c.from}" <sip:${c.from}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:${c.to}@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0`)}</send>
  <label id="end"/>
</scenario>
`;
}

export interface PhoneScenario {
  /** Ring this long, then answer (default 300 ms). */
  answerAfterMs?: number;
  /** Hang up this long after answering; default: talk until the switch hangs up. */
  hangupAfterMs?: number;
  /** Ring until the switch cancels. */
  neverAnswer?: boolean;
  /** Answer the INVITE with this SIP status instead (486 busy, 603 decline). */
  rejectStatus?: number;
  /** Play PCMA audio once answered. */
  audio?: boolean;
  /** Instead: stream this A-law WAV (tones.ts) in a loop once answered. */
  toneFile?: string;
  /** Send PCMA audio for as long as the call lasts (rtp_stream). */
  streamAudio?: boolean;
}

const REASON: Record<number, string> = { 486: 'Busy Here', 603: 'Decline', 480: 'Temporarily Unavailable' };

/** A desk phone or gateway (UAS): every INVITE is a call of its own, handled as `p` says. */
export function phoneXml(p: PhoneScenario): string {
  const capture = `<action>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="remote_from"/>
      <ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" assign_to="remote_contact"/>
      <ereg regexp=".*" search_in="hdr" header="Via:" assign_to="invite_via"/>
      <ereg regexp=".*" search_in="hdr" header="CSeq:" assign_to="invite_cseq"/>
      <ereg regexp=".*" search_in="hdr" header="To:" assign_to="invite_to"/>
    </action>`;
  // SIPp refuses to start with a variable it assigns but never uses: capture only when needed.
  const head = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="phone">
  <recv request="INVITE" crlf="true">
    ${p.rejectStatus ? '' : capture}
  </recv>`;
  if (p.rejectStatus) {
    return `${head}
  <send>${cdata(`SIP/2.0 ${p.rejectStatus} ${REASON[p.rejectStatus] ?? 'Rejected'}
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0`)}</send>
  <recv request="ACK"/>
</scenario>
`;
  }
  const ring = p.neverAnswer ? '' : ` timeout="${p.answerAfterMs ?? 300}" ontimeout="answer"`;
  const hangup = p.hangupAfterMs === undefined ? '' : ` timeout="${p.hangupAfterMs}" ontimeout="hangup"`;
  const audio = p.toneFile ? toneStream(p.toneFile) : p.streamAudio ? streamAudio : p.audio === false ? '' : `<nop><action><exec play_pcap_audio="${PCAP_DIR}/g711a.pcap"/></action></nop>`;
  return `${head}
  <send>${cdata(`SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Length: 0`)}</send>
  <recv request="CANCEL"${ring}/>
  <send>${cdata(`SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0`)}</send>
  <send>${cdata(`SIP/2.0 487 Request Terminated
Via: [$invite_via]
[last_From:]
To: [$invite_to];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
CSeq: [$invite_cseq]
Content-Length: 0`)}</send>
  <recv request="ACK" next="end"/>
  <label id="answer"/>
  <send retrans="500">${cdata(`SIP/2.0 200 OK
Via: [$invite_via]
[last_From:]
To: [$invite_to];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
CSeq: [$invite_cseq]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Type: application/sdp
Content-Length: [len]

${sdp}`)}</send>
  <recv request="ACK"/>
  ${audio}
  <label id="talk"/>
  <recv request="INVITE" optional="true"${hangup} next="reinvite"/>
  <recv request="BYE"/>
  <send next="end">${cdata(`SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0`)}</send>
${reinvite('talk')}
  <label id="hangup"/>
  <send retrans="500">${cdata(`BYE [$remote_contact] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: [$invite_to];tag=[pid]SIPpTag01[call_number]
To: [$remote_from]
[last_Call-ID:]
CSeq: 1 BYE
Max-Forwards: 70
Content-Length: 0`)}</send>
  <recv response="200" next="end"/>
  <label id="end"/>
</scenario>
`;
}

/** REGISTER with digest authentication; the Contact is where the phone's UAS listens. */
export function registerXml(o: { user: string; password: string; domain: string; contactHost: string; contactPort: number; expires?: number }): string {
  const req = (cseq: number, auth: string): string => `REGISTER sip:${o.domain} SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:${o.user}@${o.domain}>;tag=[pid]SIPpTag00[call_number]
To: <sip:${o.user}@${o.domain}>
Call-ID: [call_id]
CSeq: ${cseq} REGISTER
Contact: <sip:${o.user}@${o.contactHost}:${o.contactPort}>
${auth}Expires: ${o.expires ?? 3600}
Max-Forwards: 70
Content-Length: 0`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register">
  <send retrans="500">${cdata(req(1, ''))}</send>
  <recv response="401" auth="true"/>
  <send retrans="500">${cdata(req(2, `[authentication username=${o.user} password=${o.password}]\n`))}</send>
  <recv response="200"/>
</scenario>
`;
}
