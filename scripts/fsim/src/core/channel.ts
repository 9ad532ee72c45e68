// One call leg. FreeSWITCH keeps two states per channel: the running state (what the state
// machine thread is executing, shown as Channel-State) and the requested state (shown as
// Channel-State-Number). They differ briefly, e.g. CHANNEL_CREATE shows CS_INIT with number 2
// (CS_ROUTING already requested) and CHANNEL_HANGUP shows CS_EXECUTE with number 10.
import { VarStore } from './vars.ts';

export const STATE_NUMBERS = {
  CS_NEW: 0, CS_INIT: 1, CS_ROUTING: 2, CS_SOFT_EXECUTE: 3, CS_EXECUTE: 4, CS_EXCHANGE_MEDIA: 5,
  CS_PARK: 6, CS_CONSUME_MEDIA: 7, CS_HIBERNATE: 8, CS_RESET: 9, CS_HANGUP: 10, CS_REPORTING: 11,
  CS_DESTROY: 12, CS_NONE: 13,
} as const;
export type ChannelState = keyof typeof STATE_NUMBERS;

export const CALLSTATE_NUMBERS = {
  DOWN: 0, DIALING: 1, RINGING: 2, EARLY: 3, ACTIVE: 4, HELD: 5, RING_WAIT: 6, HANGUP: 7, UNHELD: 8,
} as const;
export type CallState = keyof typeof CALLSTATE_NUMBERS;
export type AnswerState = 'ringing' | 'early' | 'answered' | 'hangup';

/** The caller profile (Caller-* headers). */
/** Empty fields are left out of the Caller-* headers, as switch_caller_profile_event_set_data does. */
export interface CallerProfile {
  username?: string;
  dialplan: string;
  callerIdName: string;
  callerIdNumber: string;
  origCallerIdName: string;
  origCallerIdNumber: string;
  calleeIdName?: string;
  calleeIdNumber?: string;
  networkAddr: string;
  ani: string;
  destinationNumber: string;
  source: string;
  /** Set by a transfer (uuid_transfer: "<time>:<uuid>:uuid_br:<dest>"-style, see switch_ivr_session_transfer). */
  transferSource?: string;
  context: string;
  /** Redirected-from number (the destination before a transfer). */
  rdnis?: string;
  profileIndex: number;
  profileCreatedUs: number;
}

export interface ChannelTimes {
  created: number;
  answered: number;
  progress: number;
  progressMedia: number;
  hangup: number;
  transfer: number;
  resurrect: number;
  bridged: number;
  lastHold: number;
  holdAccum: number;
}

export type Endpoint = 'sofia' | 'loopback';

export class Channel {
  runningState: ChannelState = 'CS_NEW';
  state: ChannelState = 'CS_NEW';
  callState: CallState = 'DOWN';
  answerState: AnswerState = 'ringing';
  hitDialplan: boolean;
  presenceId: string | undefined;
  callUuid: string;
  hangupCause: string | undefined;
  mediaUp = false;
  /** Negotiated codec (Channel-Read/Write-Codec-*): PCMU for SIP, L16 at 128 kbit/s for loopback. */
  codec = { name: 'PCMU', rate: '8000', bitRate: '64000' };
  /** The other half of a loopback pair (loopback/X-a <-> loopback/X-b). */
  loopbackPeer: string | undefined;
  /** Caller profile; undefined before FreeSWITCH attaches it (first CHANNEL_STATE CS_NEW). */
  profile: CallerProfile | undefined;
  readonly times: ChannelTimes;
  readonly vars = new VarStore();
  /**
   * The other leg as FreeSWITCH reports it in Other-Leg-* headers. `profileCopy` is the copy of the
   * originator's profile taken when this leg was originated (switch_caller_profile_dup): later
   * changes to the originator (its callee id once this leg answers) do not show (capture 18).
   */
  other: { type: 'originator' | 'originatee'; uuid: string; ref?: Channel; profileCopy?: CallerProfile } | undefined;
  /** The channel this one is bridged to (audio path). */
  bridgedTo: string | undefined;
  /** Under an outbound socket (the socket app parks the channel). */
  controlled = false;
  /** The socket application runs in async mode (sendmsg is queued, not run in the listener). */
  socketAsync = false;
  parked = false;
  /** Held by a uuid_bridge (the bridge thread owns the leg until it ends). */
  inBridge = false;
  /**
   * Bumped by every uuid_bridge and transfer that takes the leg. A bridge that ends compares it
   * with the value it started with: a leg a newer bridge or a transfer has taken is no longer its
   * to hang up or park (FreeSWITCH: CF_TRANSFER / the new bridge's state handler on the channel).
   */
  claim = 0;
  /**
   * The running bridge holding this leg: `done` settles once it has let go (CHANNEL_UNBRIDGE
   * fired); `threadless` when no thread of the leg's own waits behind it (a uuid_bridge leg, a
   * bridge b-leg), so a transfer must start one.
   */
  bridge: { done: Promise<void>; threadless: boolean } | undefined;
  /** After a transfer an outbound leg reports Caller-Logical-Direction inbound. */
  logicalInbound = false;
  held = false;
  /** Aborted to interrupt the running application (uuid_break, hangup, transfer). */
  breakCtl = new AbortController();
  /**
   * Aborted by uuid_break and a stopped broadcast (FreeSWITCH's CF_BREAK): it ends the playback
   * in progress, not a park or a bridge (capture 19: the channel stays parked).
   */
  mediaCtl = new AbortController();
  /** The far end hung up (BYE/CANCEL received), as opposed to FreeSWITCH hanging the leg up. */
  farEndHangup = false;
  /** Hold periods [start, end] in us (hold_events at CS_REPORTING). */
  holdEvents: [number, number][] = [];
  /** CF_STOP_BROADCAST: a looping broadcast (hold music) ends after the current run. */
  stopBroadcast = false;
  /** Aborted once when the channel hangs up. */
  readonly hangupCtl = new AbortController();
  /** Pending dialplan transfer requested while an application runs. */
  transferTo: { dest: string; dialplan: string; context: string } | undefined;
  /** DTMF digits received and not yet dequeued by an application (dtmf.ts). */
  dtmfQueue: { digit: string; source: string }[] = [];
  dtmfWaiters: (() => void)[] = [];
  /** Applications reading DTMF as it comes (park, bridge, playback): see dtmf.ts readDtmf. */
  readonly dtmfReaders = new Set<{ onDigit: (digit: string) => void; active: () => boolean }>();
  /** Applications running on the channel now (an app a socket runs inside the socket app: 2). */
  appDepth = 0;
  destroyed = false;
  /** A thread (dialplan/app loop) owns the channel; it runs the hangup states when it ends. */
  busy = false;
  finishing = false;
  /** CS_HANGUP has run (Switch.hangupState). */
  hangupRun = false;
  /** Endpoint-specific variables set in CS_REPORTING, before the CDR variables. */
  onReport: (() => void) | undefined;
  recordings: Set<string> | undefined;
  /** Read locks held from outside (see state-machine.ts holdSession). */
  sessionHolds = 0;
  /** Set when the channel waits for its last read lock to go before CHANNEL_DESTROY. */
  destroyWhenReleased: (() => void) | undefined;
  /** Set by an async socket application between `connect` and its park (see apps.ts socketApp). */
  beforeControlMessage: (() => void) | undefined;
  /** Set by a running bridge: called as the channel hangs up, before CHANNEL_HANGUP is fired. */
  beforeHangupEvent: (() => void) | undefined;
  /** Set by a running bridge: called when the bridged peer goes away. */
  bridgeEnded: (() => void) | undefined;
  /** Resolved when CHANNEL_DESTROY has been fired. */
  readonly destroyedPromise: Promise<void>;
  markDestroyed!: () => void;

  constructor(
    readonly uuid: string,
    public name: string,
    readonly direction: 'inbound' | 'outbound',
    readonly endpoint: Endpoint,
    createdUs: number,
  ) {
    this.hitDialplan = direction === 'inbound';
    this.callUuid = uuid;
    this.times = {
      created: createdUs, answered: 0, progress: 0, progressMedia: 0, hangup: 0, transfer: 0,
      resurrect: 0, bridged: 0, lastHold: 0, holdAccum: 0,
    };
    this.destroyedPromise = new Promise((r) => (this.markDestroyed = r));
  }

  get isHungUp(): boolean {
    return this.hangupCause !== undefined;
  }

  get answered(): boolean {
    return this.times.answered > 0;
  }

  /** Fresh break signal for the next application (after a uuid_break). */
  resetBreak(): AbortSignal {
    if (this.breakCtl.signal.aborted) this.breakCtl = new AbortController();
    return AbortSignal.any([this.breakCtl.signal, this.hangupCtl.signal]);
  }

  /** Fresh media break signal for the next playback (after a uuid_break). */
  mediaSignal(): AbortSignal {
    if (this.mediaCtl.signal.aborted) this.mediaCtl = new AbortController();
    return this.mediaCtl.signal;
  }

  pushDtmf(d: { digit: string; source: string }): void {
    this.dtmfQueue.push(d);
    const w = this.dtmfWaiters;
    this.dtmfWaiters = [];
    for (const f of w) f();
  }
}
