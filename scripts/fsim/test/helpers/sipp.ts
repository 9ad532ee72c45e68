// SIPp as the SIP peers of the differential test: a caller (UAC) and agent phones (UAS), each one
// call. The scenarios are generated from the same behaviour descriptions the fsim side uses
// (simulated endpoints), so both switches see the same peers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** What the caller does. `byeAfterMs`: hang up that long after the answer; default: wait for the switch's BYE. */
export interface CallerPeer {
  readonly byeAfterMs?: number;
  /** CANCEL this long after the first 18x (the caller gives up while it rings). */
  readonly cancelAfterMs?: number;
  /** Accept the switch's REFER (uuid_deflect) as capture 25's phone does: 202, NOTIFY 100 Trying, NOTIFY 200 OK, then the switch's BYE. */
  readonly acceptRefer?: boolean;
  /** With acceptRefer: the final NOTIFY this long after the 100 Trying one. */
  readonly referNotifyAfterMs?: number;
}

/** What an agent phone does when the switch calls it. */
export interface AgentPeer {
  readonly answerAfterMs?: number;
  /** Hang up this long after answering; default: wait for the switch's BYE. */
  readonly byeAfterMs?: number;
  /** Ring until CANCELled. */
  readonly neverAnswer?: boolean;
  /** Reject with this SIP code (486) after 100 Trying. */
  readonly rejectCode?: number;
}

const SDP = `v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
`;

const wrap = (body: string): string => `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="differential">\n${body}\n</scenario>\n`;
const cdata = (s: string): string => `<![CDATA[\n${s.trim()}\n\n]]>`;

/** Caller dialling `to` on the switch; the From user is `from`. */
export function callerScenario(to: string, from: string, p: CallerPeer): string {
  const inviteHeaders = `Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "${from}" <sip:${from}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:${to}@[remote_ip]:[remote_port]>
Call-ID: [call_id]
Contact: <sip:${from}@[local_ip]:[local_port]>
Max-Forwards: 70`;
  const invite = `<send retrans="500">${cdata(`INVITE sip:${to}@[remote_ip]:[remote_port] SIP/2.0
${inviteHeaders}
CSeq: 1 INVITE
Content-Type: application/sdp
Content-Length: [len]

${SDP}`)}</send>`;
  const ok = (method: string): string => `<send>${cdata(`SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:${from}@[local_ip]:[local_port]>
Content-Length: 0
`)}</send><!-- ${method} -->`;
  const ack = (cseqMethod: string): string => `<send>${cdata(`ACK sip:${to}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "${from}" <sip:${from}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ${cseqMethod}
Contact: <sip:${from}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0
`)}</send>`;
  if (p.cancelAfterMs !== undefined) {
    // The CANCEL reuses the INVITE's branch: sipp's [branch] keyword changes per message, so the
    // INVITE's Via is sent back as it was ([last_Via:] of the 18x is the INVITE's).
    return wrap(`${invite}
<recv response="100" optional="true"/>
<recv response="183" optional="true"/>
<recv response="180"/>
<pause milliseconds="${p.cancelAfterMs}"/>
<send>${cdata(`CANCEL sip:${to}@[remote_ip]:[remote_port] SIP/2.0
[last_Via:]
From: "${from}" <sip:${from}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:${to}@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 CANCEL
Max-Forwards: 70
Content-Length: 0
`)}</send>
<recv response="200"/>
<recv response="487"/>
${ack('ACK')}`);
  }
  const end =
    p.byeAfterMs !== undefined
      ? `<pause milliseconds="${p.byeAfterMs}"/>
<send retrans="500">${cdata(`BYE sip:${to}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "${from}" <sip:${from}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 2 BYE
Contact: <sip:${from}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0
`)}</send>
<recv response="200"/>`
      : `<recv request="BYE"/>\n${ok('BYE')}`;
  // The NOTIFYs name the REFER's CSeq in Event: refer;id= (RFC 3515) and go to the switch's Contact.
  const notify = (cseq: number, state: string, frag: string): string => `<send retrans="500">${cdata(`NOTIFY [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "${from}" <sip:${from}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:${to}@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: ${cseq} NOTIFY
Contact: <sip:${from}@[local_ip]:[local_port]>
Max-Forwards: 70
Event: refer;id=[$refer_cseq]
Subscription-State: ${state}
Content-Type: message/sipfrag;version=2.0
Content-Length: [len]

${frag}`)}</send>
<recv response="200"/>`;
  const refer = p.acceptRefer
    ? `<recv request="REFER"><action><ereg regexp="([0-9]+) REFER" search_in="hdr" header="CSeq:" assign_to="refer_all,refer_cseq"/></action></recv>
<send>${cdata(`SIP/2.0 202 Accepted
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:${from}@[local_ip]:[local_port]>
Content-Length: 0
`)}</send>
${notify(2, 'active;expires=60', 'SIP/2.0 100 Trying')}
${p.referNotifyAfterMs ? `<pause milliseconds="${p.referNotifyAfterMs}"/>` : ''}
${notify(3, 'terminated;reason=noresource', 'SIP/2.0 200 OK')}
<Reference variables="refer_all"/>
`
    : '';
  return wrap(`${invite}
<recv response="100" optional="true"/>
<recv response="180" optional="true"/>
<recv response="183" optional="true"/>
<recv response="200" rrs="true"/>
${ack('ACK')}
${refer}${end}`);
}

/** An agent phone answering (or not) one INVITE from the switch. */
export function agentScenario(p: AgentPeer): string {
  const resp = (code: string, withSdp: boolean, cseq = '[last_CSeq:]'): string => `<send>${cdata(`SIP/2.0 ${code}
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
${cseq}
Contact: <sip:agent@[local_ip]:[local_port];transport=[transport]>
${withSdp ? `Content-Type: application/sdp\nContent-Length: [len]\n\n${SDP}` : 'Content-Length: 0\n'}`)}</send>`;
  const invite = `<recv request="INVITE"><action><ereg regexp="([0-9]+) INVITE" search_in="hdr" header="CSeq:" assign_to="cs,cseqn"/><ereg regexp=".*" search_in="hdr" header="From:" assign_to="remote_from"/></action></recv>`;
  if (p.rejectCode !== undefined) {
    return wrap(`${invite}
${resp('100 Trying', false)}
${resp(`${p.rejectCode} Busy Here`, false)}
<recv request="ACK"/>
<Reference variables="cs,cseqn,remote_from"/>`);
  }
  if (p.neverAnswer) {
    return wrap(`${invite}
${resp('180 Ringing', false)}
<recv request="CANCEL"/>
${resp('200 OK', false)}
${resp('487 Request Terminated', false, 'CSeq: [$cseqn] INVITE')}
<recv request="ACK"/>
<Reference variables="cs,remote_from"/>`);
  }
  const end =
    p.byeAfterMs !== undefined
      ? `<pause milliseconds="${p.byeAfterMs}"/>
<send retrans="500">${cdata(`BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:agent@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
To: [$remote_from]
[last_Call-ID:]
CSeq: 1 BYE
Max-Forwards: 70
Content-Length: 0
`)}</send>
<recv response="200"/>`
      : `<recv request="BYE"/>\n${resp('200 OK', false)}`;
  return wrap(`${invite}
${resp('180 Ringing', false)}
<pause milliseconds="${p.answerAfterMs ?? 500}"/>
${resp('200 OK', true)}
<recv request="ACK" rrs="true"/>
${end}
<Reference variables="cs,cseqn,remote_from"/>`);
}

/** A phone registering `user` (digest auth) with its Contact at `contactPort`: one REGISTER, 401, REGISTER, 200. */
export function registerScenario(o: { user: string; password: string; domain: string; contactPort: number }): string {
  const req = (cseq: number, auth: string): string => `REGISTER sip:${o.domain} SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:${o.user}@${o.domain}>;tag=[pid]SIPpTag00[call_number]
To: <sip:${o.user}@${o.domain}>
Call-ID: [call_id]
CSeq: ${cseq} REGISTER
Contact: <sip:${o.user}@127.0.0.1:${o.contactPort}>
${auth}Expires: 3600
Max-Forwards: 70
Content-Length: 0`;
  return wrap(`<send retrans="500">${cdata(req(1, ''))}</send>
<recv response="401" auth="true"/>
<send retrans="500">${cdata(req(2, `[authentication username=${o.user} password=${o.password}]\n`))}</send>
<recv response="200"/>`);
}

export interface SippRun {
  readonly done: Promise<number | null>;
  kill(): void;
}

/** Run one SIPp call: `remote` undefined = UAS waiting on `port`. */
export function runSipp(xml: string, opts: { port: number; mediaPort: number; remote?: string }): SippRun {
  const dir = mkdtempSync(path.join(tmpdir(), 'fsim-sipp-'));
  const file = path.join(dir, 'scenario.xml');
  writeFileSync(file, xml);
  const args = [
    ...(opts.remote ? [opts.remote] : []),
    '-sf', file, '-i', '127.0.0.1', '-p', String(opts.port), '-mp', String(opts.mediaPort),
    '-m', '1', '-nostdin', '-timeout', '30s', '-timeout_error', '-trace_err', '-error_file', path.join(dir, 'err.log'),
  ];
  const child: ChildProcess = spawn('sipp', args, { stdio: 'ignore' });
  const done = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      resolve(code);
    });
    child.once('error', () => resolve(null));
  });
  return { done, kill: () => child.kill('SIGKILL') };
}
