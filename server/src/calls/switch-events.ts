// The domain's view of what a switch reports: a compact, typed event per thing the service acts on.
// server/src/freeswitch/ turns raw ESL events into these (validating what it reads); nothing here
// knows about ESL framing or header names.

export interface SwitchEventBase {
  /** Configured name of the FreeSWITCH node the event came from. */
  readonly node: string;
  /** Unique-ID of the channel (leg). */
  readonly uuid: string;
  /** Event-Sequence: per node, increasing; used to drop duplicates. */
  readonly seq: number;
  /** Event-Date-Timestamp in microseconds since the epoch: the moment the switch saw it. */
  readonly tsUs: number;
}

export type HangupCause = string;

/**
 * What the dialplan did on its own, read from the caller leg's variables at CHANNEL_HANGUP_COMPLETE
 * (which carries every channel variable). When the service's socket cannot be reached, or closes
 * mid-call, FreeSWITCH goes on with the dialplan's fallback (a notice, then the overflow bridge):
 * these facts are how the service learns about it afterwards.
 */
export interface DialplanFacts {
  /** hotline_line as the dialplan tagged it. */
  readonly line?: string;
  /** hotline_fallback: why the dialplan served the call itself (service_unreachable). */
  readonly fallback?: string;
  /** hotline_fallback_number: the overflow number the fallback dialled. */
  readonly fallbackNumber?: string;
  /** answer_uepoch (µs), when answered. */
  readonly answeredUs?: number;
  /** bridge_uepoch (µs), when the caller was bridged to anybody. */
  readonly bridgedUs?: number;
  /** last_bridge_to: the leg it was bridged to last. */
  readonly bridgedTo?: string;
  /** originate_disposition of the last bridge attempt (SUCCESS, NO_ANSWER, ...). */
  readonly disposition?: string;
  /** The caller reached the survey (hotline_survey=offered) and the key it pressed, if any. */
  readonly survey?: { readonly digit?: string };
}

export interface ChannelCreate extends SwitchEventBase {
  readonly type: 'channel-create';
  readonly direction: 'inbound' | 'outbound';
  readonly callerNumber: string;
  readonly callerName: string;
  readonly destination: string;
  readonly context: string;
  readonly channelName: string;
  /** The leg this one was originated from or for (Other-Leg-Unique-ID), if any. */
  readonly otherLeg?: string;
  /** Variables the service reads: hotline_* and the SIP X- headers (sip_h_X-110-*). */
  readonly vars: Readonly<Record<string, string>>;
}

export type SwitchEvent =
  | ChannelCreate
  | (SwitchEventBase & { readonly type: 'channel-answer' })
  | (SwitchEventBase & { readonly type: 'channel-bridge'; readonly otherLeg: string })
  | (SwitchEventBase & { readonly type: 'channel-park' })
  | (SwitchEventBase & { readonly type: 'channel-hold' })
  | (SwitchEventBase & { readonly type: 'channel-unhold' })
  | (SwitchEventBase & { readonly type: 'channel-hangup'; readonly cause: HangupCause })
  | (SwitchEventBase & { readonly type: 'channel-hangup-complete'; readonly cause: HangupCause; readonly facts?: DialplanFacts })
  | (SwitchEventBase & { readonly type: 'record-start' | 'record-stop'; readonly path: string })
  | (SwitchEventBase & { readonly type: 'dtmf'; readonly digit: string })
  | (SwitchEventBase & {
      readonly type: 'execute-complete';
      readonly app: string;
      /** Application-Data, as the dialplan or the service gave it. */
      readonly data?: string;
      readonly response: string;
      readonly appUuid?: string;
    })
  | (SwitchEventBase & {
      readonly type: 'conference';
      readonly conference: string;
      readonly action: string;
      readonly memberId?: string;
    });

export type SwitchEventType = SwitchEvent['type'];
