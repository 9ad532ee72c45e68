// Builds events header by header in FreeSWITCH's order: base headers (switch_event_prep_for_delivery),
// event-specific headers, the channel's basic data (switch_channel_event_set_basic_data), the caller
// profile, Other-Leg-*, then variable_* for event types that carry them (set_extended_data).
import type { FsEvent, Header } from '../types.ts';
import type { Channel, CallerProfile, ChannelTimes } from './channel.ts';
import { STATE_NUMBERS } from './channel.ts';
import { formatGmt, formatLocal } from './clock.ts';
import type { Clock } from './clock.ts';
import type { SwitchConfig } from './config.ts';
import { sourceOf } from './event-sources.ts';

/**
 * Events that carry variable_* headers (FreeSWITCH's switch_channel_event_set_extended_data only
 * adds them to these; CHANNEL_STATE, CHANNEL_CALLSTATE, PRESENCE_IN, CODEC, CHANNEL_OUTGOING do not).
 */
const WITH_VARS = new Set([
  'CHANNEL_CREATE', 'CHANNEL_ORIGINATE', 'CHANNEL_ANSWER', 'CHANNEL_PROGRESS', 'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_DESTROY', 'CHANNEL_PARK', 'CHANNEL_UNPARK', 'CHANNEL_HOLD',
  'CHANNEL_UNHOLD', 'CHANNEL_DATA', 'PLAYBACK_START', 'PLAYBACK_STOP', 'RECORD_START', 'RECORD_STOP',
  'CALL_UPDATE', 'COMMAND', 'PRIVATE_COMMAND', 'MEDIA_BUG_START', 'MEDIA_BUG_STOP', 'CUSTOM',
]);

export class EventBuilder {
  private seq: number;

  constructor(
    private readonly config: SwitchConfig,
    readonly coreUuid: string,
    private readonly clock: Clock,
    firstSequence = 1,
  ) {
    this.seq = firstSequence;
  }

  nextSequence(): number {
    return this.seq++;
  }

  base(name: string, file: string, func: string, line: number, subclass?: string): Header[] {
    const ts = this.clock.nowUs();
    // switch_event_create_subclass adds Event-Subclass before the event is prepared for delivery
    // (Event-Name, Core-UUID, ...): CUSTOM events start with it (captures 10, 25).
    const h: Header[] = subclass ? [['Event-Subclass', subclass], ['Event-Name', name]] : [['Event-Name', name]];
    h.push(
      ['Core-UUID', this.coreUuid],
      ['FreeSWITCH-Hostname', this.config.hostname],
      ['FreeSWITCH-Switchname', this.config.switchname ?? this.config.hostname],
      ['FreeSWITCH-IPv4', this.config.ipv4],
      ['FreeSWITCH-IPv6', this.config.ipv6],
      ['Event-Date-Local', formatLocal(ts)],
      ['Event-Date-GMT', formatGmt(ts)],
      ['Event-Date-Timestamp', String(ts)],
      ['Event-Calling-File', file],
      ['Event-Calling-Function', func],
      ['Event-Calling-Line-Number', String(line)],
      ['Event-Sequence', String(this.nextSequence())],
    );
    return h;
  }

  /** A non-channel event (API, HEARTBEAT, BACKGROUND_JOB, ...). */
  plain(name: string, extra: Header[] = [], body?: string, sourceKey = name, subclass?: string): FsEvent {
    const [file, func, line] = sourceOf(sourceKey);
    const headers = [...this.base(name, file, func, line, subclass), ...extra];
    return { name, headers, ...(subclass ? { subclass } : {}), ...(body !== undefined ? { body } : {}) };
  }

  /**
   * A channel event. `pre` are event-specific headers FreeSWITCH adds before the channel data
   * (Original-Channel-Call-State, Bridge-A-Unique-ID, Hangup-Cause on HANGUP_COMPLETE ...), `post`
   * after the caller profile (Application, PRESENCE_IN's proto/login ...).
   */
  channel(
    name: string,
    ch: Channel,
    opts: {
      sourceKey?: string; pre?: Header[]; post?: Header[]; body?: string; subclass?: string;
      other?: Channel; noProfile?: boolean; vars?: boolean; afterOther?: Header[];
    } = {},
  ): FsEvent {
    const [file, func, line] = sourceOf(opts.sourceKey ?? opts.subclass ?? name);
    const h = this.base(name, file, func, line, opts.subclass);
    if (opts.pre) h.push(...opts.pre);
    h.push(...basicData(ch));
    if (opts.afterOther) h.push(...opts.afterOther);
    // switch_channel_event_set_basic_data: the caller profile, then the other leg's copy.
    if (ch.profile && !opts.noProfile) h.push(...profileHeaders('Caller', ch, true));
    if (ch.other && opts.other) {
      h.push(['Other-Type', ch.other.type]);
      const op = ch.other.profileCopy ?? opts.other.profile;
      if (op) h.push(...profileHeaders('Other-Leg', opts.other, ch.other.type === 'originatee', op));
    }
    if (opts.post) h.push(...opts.post);
    if (opts.vars ?? WITH_VARS.has(name)) {
      for (const [k, v] of ch.vars.entries()) h.push([`variable_${k}`, v]);
    }
    return {
      name, headers: h, uuid: ch.uuid,
      ...(opts.subclass ? { subclass: opts.subclass } : {}),
      ...(opts.body !== undefined ? { body: opts.body } : {}),
    };
  }
}

export function basicData(ch: Channel): Header[] {
  const h: Header[] = [
    ['Channel-State', ch.runningState],
    ['Channel-Call-State', ch.callState],
    ['Channel-State-Number', String(STATE_NUMBERS[ch.state])],
    ['Channel-Name', ch.name],
    ['Unique-ID', ch.uuid],
    ['Call-Direction', ch.direction],
    ['Presence-Call-Direction', ch.direction],
    ['Channel-HIT-Dialplan', ch.hitDialplan ? 'true' : 'false'],
  ];
  if (ch.presenceId) h.push(['Channel-Presence-ID', ch.presenceId]);
  h.push(['Channel-Call-UUID', ch.callUuid], ['Answer-State', ch.answerState]);
  if (ch.hangupCause) h.push(['Hangup-Cause', ch.hangupCause]);
  if (ch.mediaUp) {
    h.push(
      ['Channel-Read-Codec-Name', ch.codec.name], ['Channel-Read-Codec-Rate', ch.codec.rate], ['Channel-Read-Codec-Bit-Rate', ch.codec.bitRate],
      ['Channel-Write-Codec-Name', ch.codec.name], ['Channel-Write-Codec-Rate', ch.codec.rate], ['Channel-Write-Codec-Bit-Rate', ch.codec.bitRate],
    );
  }
  return h;
}

/** Caller-* (own profile) or Other-Leg-* (the other leg's profile) headers. */
export function profileHeaders(prefix: string, ch: Channel, liveTimes: boolean, profile?: CallerProfile): Header[] {
  const p = profile ?? (ch.profile as CallerProfile);
  const h: Header[] = [
    [`${prefix}-Direction`, ch.direction],
    [`${prefix}-Logical-Direction`, ch.logicalInbound || (ch.direction === 'outbound' && prefix === 'Other-Leg') ? 'inbound' : ch.direction],
  ];
  // Empty profile fields are skipped (switch_caller_profile_event_set_data tests each with zstr):
  // an api originate leg has no Username, Dialplan or Network-Addr, and no Caller-ID-Name unless
  // origination_caller_id_name was given (captures 11, 15).
  const add = (k: string, v: string | undefined): void => { if (v) h.push([`${prefix}-${k}`, v]); };
  add('Username', p.username);
  add('Dialplan', p.dialplan);
  add('Caller-ID-Name', p.callerIdName);
  add('Caller-ID-Number', p.callerIdNumber);
  add('Orig-Caller-ID-Name', p.origCallerIdName);
  add('Orig-Caller-ID-Number', p.origCallerIdNumber);
  add('Callee-ID-Name', p.calleeIdName);
  add('Callee-ID-Number', p.calleeIdNumber);
  add('Network-Addr', p.networkAddr);
  add('ANI', p.ani);
  add('Destination-Number', p.destinationNumber);
  add('Unique-ID', ch.uuid);
  add('Source', p.source);
  // The Other-Leg copy of a profile carries no transfer source.
  if (prefix === 'Caller') add('Transfer-Source', p.transferSource);
  add('Context', p.context);
  add('RDNIS', p.rdnis);
  add('Channel-Name', ch.name);
  // The other leg's profile is a copy without a profile index (switch_caller_profile_dup).
  if (prefix === 'Caller') h.push([`${prefix}-Profile-Index`, String(p.profileIndex)]);
  const t: ChannelTimes = liveTimes ? ch.times : zeroTimes;
  const created = liveTimes ? p.profileCreatedUs : 0;
  h.push(
    [`${prefix}-Profile-Created-Time`, String(created)],
    [`${prefix}-Channel-Created-Time`, String(liveTimes ? t.created : 0)],
    [`${prefix}-Channel-Answered-Time`, String(t.answered)],
    [`${prefix}-Channel-Progress-Time`, String(t.progress)],
    [`${prefix}-Channel-Progress-Media-Time`, String(t.progressMedia)],
    [`${prefix}-Channel-Hangup-Time`, String(t.hangup)],
    [`${prefix}-Channel-Transfer-Time`, String(t.transfer)],
    [`${prefix}-Channel-Resurrect-Time`, String(t.resurrect)],
    [`${prefix}-Channel-Bridged-Time`, String(t.bridged)],
    [`${prefix}-Channel-Last-Hold`, String(t.lastHold)],
    [`${prefix}-Channel-Hold-Accum`, String(t.holdAccum)],
    [`${prefix}-Screen-Bit`, 'true'],
    [`${prefix}-Privacy-Hide-Name`, 'false'],
    [`${prefix}-Privacy-Hide-Number`, 'false'],
  );
  return h;
}

const zeroTimes: ChannelTimes = {
  created: 0, answered: 0, progress: 0, progressMedia: 0, hangup: 0, transfer: 0, resurrect: 0,
  bridged: 0, lastHold: 0, holdAccum: 0,
};
