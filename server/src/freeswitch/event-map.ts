// Raw ESL events -> the domain's SwitchEvent. Only the headers the service uses are read, and each
// is validated: an event missing what we need is dropped (and counted) rather than half-applied.
import { z } from 'zod';
import type { DialplanFacts, SwitchEvent } from '../calls/switch-events.ts';

/**
 * The event names the service subscribes to: only those it reads. On the real switch every channel
 * event carries all of the channel's variables (5-12 KB of JSON), and the switch serialises each one
 * per listener: at 10 calls/s the earlier list (PROGRESS, UNBRIDGE, DESTROY, PLAYBACK_START/STOP
 * besides these) came to ~45 events and ~300 KB per call, parsed by the service and written by the
 * switch (`npm run bench -- load-freeswitch`). CUSTOM goes last: every word after it is a subclass.
 */
export const SUBSCRIBED_EVENTS = [
  'CHANNEL_CREATE',
  'CHANNEL_ANSWER',
  'CHANNEL_BRIDGE',
  'CHANNEL_PARK',
  'CHANNEL_HOLD',
  'CHANNEL_UNHOLD',
  'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE',
  'CHANNEL_EXECUTE_COMPLETE',
  'RECORD_START',
  'RECORD_STOP',
  'DTMF',
  'BACKGROUND_JOB',
  'HEARTBEAT',
  'CUSTOM',
  'conference::maintenance',
  'hotline::intake',
] as const;

/** The one CHANNEL_EXECUTE_COMPLETE the service reads: the survey extension's first `set` (queue.xml). */
export const SURVEY_SET = 'hotline_survey=offered';

/**
 * ESL filters sent after the subscription. Once a listener has a filter, mod_event_socket sends an
 * event only if a positive filter matches it: every subscribed type but CHANNEL_EXECUTE_COMPLETE
 * passes by name, and of the execute-completes (more than half of a call's events, one per dialplan
 * `set`/`unset`/`export`/`playback`) only the survey's `set` passes.
 */
export const EVENT_FILTERS: readonly (readonly [header: string, value: string])[] = [
  // The names up to CUSTOM (what follows it are subclasses, not names).
  ['Event-Name', `/^(${SUBSCRIBED_EVENTS.slice(0, SUBSCRIBED_EVENTS.indexOf('CUSTOM') + 1).filter((e) => e !== 'CHANNEL_EXECUTE_COMPLETE').join('|')})$/`],
  ['Application-Data', SURVEY_SET],
];

export type HeaderLookup = (name: string) => string | undefined;

const digits = z.string().regex(/^\d+$/);
const base = z.object({
  'Unique-ID': z.string().min(1),
  'Event-Sequence': digits,
  'Event-Date-Timestamp': digits,
});

/**
 * Variables copied into ChannelCreate.vars: the ones our own originates set (hotline_call_id, ...).
 * A caller's SIP headers (sip_h_*) are never read here: CHANNEL_CREATE comes before the dialplan
 * has checked where the call comes from, so 110 case data is taken only from the outbound socket's
 * channel data, where the dialplan put what it vetted (intake-call.ts).
 */
const VAR_PREFIX = 'variable_hotline_';

function vars(headers: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of headers) if (k.startsWith(VAR_PREFIX)) out[k.slice('variable_'.length)] = v;
  return out;
}

const usOf = (v: string | undefined): number | undefined => (v !== undefined && /^[1-9]\d{0,18}$/.test(v) ? Number(v) : undefined);

/** The dialplan's own doings, read from the variables CHANNEL_HANGUP_COMPLETE carries (inbound legs only matter). */
function dialplanFacts(get: HeaderLookup): DialplanFacts | undefined {
  if (get('Call-Direction') !== 'inbound') return undefined;
  const uuid = get('variable_last_bridge_to');
  const digit = get('variable_hotline_survey_digit');
  const facts: DialplanFacts = {
    ...(get('variable_hotline_line') ? { line: get('variable_hotline_line') } : {}),
    ...(get('variable_hotline_fallback') ? { fallback: get('variable_hotline_fallback') } : {}),
    ...(get('variable_hotline_fallback_number') ? { fallbackNumber: get('variable_hotline_fallback_number') } : {}),
    ...(usOf(get('variable_answer_uepoch')) ? { answeredUs: usOf(get('variable_answer_uepoch')) } : {}),
    ...(usOf(get('variable_bridge_uepoch')) ? { bridgedUs: usOf(get('variable_bridge_uepoch')) } : {}),
    ...(uuid && /^[0-9a-f-]{36}$/i.test(uuid) ? { bridgedTo: uuid } : {}),
    ...(get('variable_originate_disposition') ? { disposition: get('variable_originate_disposition') } : {}),
    // One key; anything else (a forged or garbled value) is kept as no answer.
    ...(get('variable_hotline_survey') === 'offered' ? { survey: digit && /^[0-9]$/.test(digit) ? { digit } : {} } : {}),
  };
  return Object.keys(facts).length ? facts : undefined;
}

export interface RawEvent {
  readonly get: HeaderLookup;
  /** All headers (for variable scans); only needed for CHANNEL_CREATE. */
  readonly headers: () => Iterable<[string, string]>;
}

/** Returns undefined for events the service does not use or that lack a required header. */
export function toSwitchEvent(node: string, raw: RawEvent): SwitchEvent | undefined {
  const name = raw.get('Event-Name');
  const b = base.safeParse({ 'Unique-ID': raw.get('Unique-ID'), 'Event-Sequence': raw.get('Event-Sequence'), 'Event-Date-Timestamp': raw.get('Event-Date-Timestamp') });
  if (!name || !b.success) return undefined;
  const common = { node, uuid: b.data['Unique-ID'], seq: Number(b.data['Event-Sequence']), tsUs: Number(b.data['Event-Date-Timestamp']) };
  const other = raw.get('Other-Leg-Unique-ID') ?? raw.get('Bridge-B-Unique-ID');
  const cause = raw.get('Hangup-Cause') ?? raw.get('variable_hangup_cause') ?? 'NORMAL_CLEARING';
  switch (name) {
    case 'CHANNEL_CREATE': {
      const direction = raw.get('Call-Direction');
      if (direction !== 'inbound' && direction !== 'outbound') return undefined;
      return {
        ...common,
        type: 'channel-create',
        direction,
        callerNumber: raw.get('Caller-Caller-ID-Number') ?? '',
        callerName: raw.get('Caller-Caller-ID-Name') ?? '',
        destination: raw.get('Caller-Destination-Number') ?? '',
        context: raw.get('Caller-Context') ?? '',
        channelName: raw.get('Channel-Name') ?? '',
        ...(raw.get('Other-Leg-Unique-ID') ? { otherLeg: raw.get('Other-Leg-Unique-ID') as string } : {}),
        vars: vars(raw.headers()),
      };
    }
    case 'CHANNEL_ANSWER':
      return { ...common, type: 'channel-answer' };
    case 'CHANNEL_BRIDGE': {
      // Bridge events name both legs; the "other" one is whichever is not this channel.
      const a = raw.get('Bridge-A-Unique-ID');
      const bb = raw.get('Bridge-B-Unique-ID');
      const otherLeg = a && a !== common.uuid ? a : bb && bb !== common.uuid ? bb : other;
      if (!otherLeg) return undefined;
      return { ...common, type: 'channel-bridge', otherLeg };
    }
    case 'CHANNEL_PARK':
      return { ...common, type: 'channel-park' };
    case 'CHANNEL_HOLD':
      return { ...common, type: 'channel-hold' };
    case 'CHANNEL_UNHOLD':
      return { ...common, type: 'channel-unhold' };
    case 'CHANNEL_HANGUP':
      return { ...common, type: 'channel-hangup', cause };
    case 'CHANNEL_HANGUP_COMPLETE': {
      const facts = dialplanFacts(raw.get);
      return { ...common, type: 'channel-hangup-complete', cause, ...(facts ? { facts } : {}) };
    }
    case 'CHANNEL_EXECUTE_COMPLETE': {
      const appUuid = raw.get('Application-UUID');
      const data = raw.get('Application-Data');
      return { ...common, type: 'execute-complete', app: raw.get('Application') ?? '', response: raw.get('Application-Response') ?? '', ...(appUuid ? { appUuid } : {}), ...(data ? { data } : {}) };
    }
    case 'RECORD_START':
    case 'RECORD_STOP':
      return { ...common, type: name === 'RECORD_START' ? 'record-start' : 'record-stop', path: raw.get('Record-File-Path') ?? '' };
    case 'DTMF': {
      const digit = raw.get('DTMF-Digit');
      return digit ? { ...common, type: 'dtmf', digit } : undefined;
    }
    case 'CUSTOM': {
      if (raw.get('Event-Subclass') !== 'conference::maintenance') return undefined;
      const conference = raw.get('Conference-Name');
      const action = raw.get('Action');
      if (!conference || !action) return undefined;
      const memberId = raw.get('Member-ID');
      return { ...common, type: 'conference', conference, action, ...(memberId ? { memberId } : {}) };
    }
    default:
      return undefined;
  }
}
