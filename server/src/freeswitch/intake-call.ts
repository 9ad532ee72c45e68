// IntakeCall over an outbound-socket connection.
import type { IntakeCall } from '../intake/call-intake.ts';
import { decodeSipHeader, sipHeaderVars } from './esl-values.ts';
import { SwitchIvrSession } from './ivr-session.ts';
import type { OutboundCall } from './outbound-call.ts';
import type { RawEvent } from './event-map.ts';

export interface IntakeCallOptions {
  readonly promptsBase: string;
  /** Moves the caller to the waiting extension (uuid_transfer from the inbound side). */
  readonly wait: (uuid: string) => Promise<void>;
  /** Dial string for a transfer target, e.g. "sofia/gateway/gw_110/110"; throws for a bad target. */
  readonly dialstring: (target: string, reason: string) => string;
}

/**
 * The 110 case data the dialplan copied from the X-110-* headers (public.xml, line_from110), keyed
 * by header name as the 110 system sends it. Read only for a call the dialplan tagged from110, that
 * is one it accepted from the 110 gateway's address; the raw sip_h_X-110-* variables of any other
 * call are the caller's word and never read.
 */
const CASE_110_VARS = {
  'Case-Id': 'hotline_110_case_id',
  Summary: 'hotline_110_summary',
  Category: 'hotline_110_category',
  'Caller-Number': 'hotline_110_caller_number',
  Address: 'hotline_110_address',
  Dispatcher: 'hotline_110_dispatcher',
} as const;

function caseDataOf(channel: RawEvent, line: string): Record<string, string> | undefined {
  if (line !== 'from110') return undefined;
  const out: Record<string, string> = {};
  for (const [header, name] of Object.entries(CASE_110_VARS)) {
    const v = channel.get(`variable_${name}`);
    // FreeSWITCH expands a missing header to an empty value.
    if (v) out[header] = decodeSipHeader(v);
  }
  return out;
}

export const microseconds = (v: string | undefined): number | undefined => (v && /^[1-9]\d{0,18}$/.test(v) ? Number(v) : undefined);

/**
 * Who called which line, from a caller's channel data (the outbound socket's, or the dialplan's
 * intake event): the same headers whichever way the call came in.
 */
export function callerFacts(channel: RawEvent, fallbackUs: number): Pick<IntakeCall, 'line' | 'callerNumber' | 'callerName' | 'destination' | 'createdUs' | 'case110'> {
  const line = channel.get('variable_hotline_line') ?? 'main';
  const case110 = caseDataOf(channel, line);
  return {
    line,
    callerNumber: channel.get('Caller-Caller-ID-Number') ?? '',
    callerName: channel.get('Caller-Caller-ID-Name') ?? '',
    destination: channel.get('Caller-Destination-Number') ?? '',
    createdUs: microseconds(channel.get('Caller-Channel-Created-Time')) ?? fallbackUs,
    ...(case110 ? { case110 } : {}),
  };
}

export function intakeCallOf(call: OutboundCall, node: string, opts: IntakeCallOptions): IntakeCall {
  const ivr = new SwitchIvrSession(call, opts.promptsBase);
  const facts = callerFacts(call.channel, microseconds(call.channel.get('Event-Date-Timestamp')) ?? Date.now() * 1000);
  return {
    callId: call.uuid,
    node,
    ...facts,
    get lastEventUs() {
      return ivr.lastEventUs;
    },
    get hungUp() {
      return call.hungUp;
    },
    play: (p) => ivr.play(p),
    collectDigit: (p, ms) => ivr.collectDigit(p, ms),
    setVar: (n, v) => ivr.setVar(n, v),
    answer: () => ivr.answer(),
    async wait() {
      await opts.wait(call.uuid);
      // Everything after this goes over the inbound connection (bridge, broadcast, events).
      call.release();
    },
    async transferOut(target, reason, headers = {}) {
      // The dial string and the headers are checked (they throw) before anything is sent. The
      // headers go on the new leg only ({...} in front of the dial string): a sip_h_* variable set
      // on the caller's channel would be copied onto every leg it is later bridged to.
      const dial = `${sipHeaderVars(headers)}${opts.dialstring(target, reason)}`;
      // A failed bridge hangs the caller up unless continue_on_fail is set (FreeSWITCH 1.10.12):
      // with it the bridge application returns and the service falls back. After a bridge that
      // did connect, the citizen's call ends with the far end's (hangup_after_bridge).
      await call.setVar('continue_on_fail', 'true');
      await call.setVar('hangup_after_bridge', 'true');
      const done = await call.execute('bridge', dial);
      // A bridge that connected and ended has hung the caller up by now (the execute above then
      // rejects, CHANNEL_HANGUP comes first); SUCCESS is checked as well, in case it does not.
      const disposition = done.get('variable_originate_disposition') ?? done.get('variable_DIALSTATUS') ?? 'UNKNOWN';
      return disposition === 'SUCCESS' ? undefined : disposition;
    },
    hangup: (cause) => call.hangup(cause),
    variable: (name) => call.channel.get(`variable_${name}`),
  };
}
