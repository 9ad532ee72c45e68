// Contracts between the simulator's layers. The ESL protocol layer (esl/) only knows these types;
// the switch model (core/) and the dialplan (dialplan/) implement them.

/** One event header, in the order FreeSWITCH writes it. Values are raw (not URL-encoded). */
export type Header = [name: string, value: string];

/** A switch event as FreeSWITCH builds it, before serialisation to plain, json or xml. */
export interface FsEvent {
  /** Event-Name, e.g. CHANNEL_CREATE, CUSTOM, BACKGROUND_JOB. */
  readonly name: string;
  /** Event-Subclass for CUSTOM events, e.g. conference::maintenance. */
  readonly subclass?: string;
  /** Unique-ID of the channel the event is about, when there is one (used by myevents and filters). */
  readonly uuid?: string;
  /** Every header in order, Event-Name first. */
  readonly headers: readonly Header[];
  /** Event body (BACKGROUND_JOB result, DTMF none, ...). Serialised as Content-Length + body. */
  readonly body?: string;
}

export type EventListener = (ev: FsEvent) => void;

/** A `sendmsg` message: the lower-cased header names FreeSWITCH reads, plus an optional body. */
export interface SendMsg {
  readonly headers: ReadonlyMap<string, string>;
  readonly body?: string;
}

/** What an ESL connection may ask of the switch. Implemented by core/Switch. */
export interface SwitchFacade {
  readonly coreUuid: string;
  /** Subscribe to every event the switch fires, in firing order. Returns an unsubscribe function. */
  onEvent(listener: EventListener): () => void;
  /**
   * Optional: subscribe to the events of one channel only (its Unique-ID), in firing order, after
   * the listeners of every event. An outbound socket's listener wants no other: with thousands of
   * them, handing every event to each would cost the switch more than the calls themselves.
   */
  onChannelEvent?(uuid: string, listener: EventListener): () => void;
  /**
   * Run an API command (`api`/`bgapi`): returns the exact text of the api/response body
   * (e.g. "+OK ...\n" or "-ERR No such channel!\n"). Never rejects: errors are answers.
   * `jobUuid` is set for bgapi so commands such as originate can report it.
   */
  api(command: string, args: string, opts?: { jobUuid?: string }): Promise<string>;
  /**
   * Handle a sendmsg for a channel: returns the Reply-Text, e.g. "+OK" or
   * "-ERR invalid session id [uuid]". `controlled` is true when it comes from the channel's own
   * outbound socket (FreeSWITCH refuses `park` then).
   */
  sendmsg(uuid: string, msg: SendMsg, opts?: { controlled?: boolean }): Promise<string>;
  /** The headers of a CHANNEL_DATA event for the outbound `connect` reply; undefined if gone. */
  channelData(uuid: string): readonly Header[] | undefined;
  /**
   * Optional: hold the channel's session while an outbound socket is open (FreeSWITCH's listener
   * holds a read lock): after a hangup the channel stops after CHANNEL_HANGUP_COMPLETE and fires
   * CHANNEL_DESTROY only when the returned release is called (the listener closed the socket).
   */
  holdSession?(uuid: string): () => void;
  /** Whether the channel still exists (for myevents on an unknown uuid, etc.). */
  channelExists(uuid: string): boolean;
  /** Next value of the switch-wide Event-Sequence counter and the current event timestamp. */
  eventMeta(): { sequence: number; timestampUs: number };
  /** Headers every event starts with (Core-UUID, FreeSWITCH-Hostname, ... Event-Sequence) for a non-channel event. */
  baseHeaders(name: string, callingFile: string, callingFunction: string, callingLine: number): Header[];
  /**
   * Optional: keep the channel from being destroyed while an outbound-socket listener holds it
   * (mod_event_socket's read lock on the session). CHANNEL_HANGUP_COMPLETE still fires on time;
   * CHANNEL_DESTROY waits until every hold is released (capture 23: 6 s later, when the lingering
   * listener closed the socket). Returns the release function.
   */
  holdSession?(uuid: string): () => void;
  /**
   * Optional: fire an event built outside the core (the ESL layer's BACKGROUND_JOB) so that every
   * onEvent listener receives it, in firing order. Without it the ESL layer delivers such events to
   * its own connections only.
   */
  fireEvent?(ev: FsEvent): void;
}

/**
 * The dialplan `socket` application hands the channel to this: connect to host:port, speak the
 * outbound ESL protocol until the listener closes or the channel ends. Resolves when the socket
 * application would return (FreeSWITCH then goes on with the next dialplan action unless the
 * channel is gone). Rejects only if the TCP connect fails (the dialplan then continues, which is how
 * a fallback after `socket` works).
 */
export type OutboundConnector = (args: {
  uuid: string;
  host: string;
  port: number;
  async: boolean;
  full: boolean;
  /**
   * Optional: called when the listener has sent `connect` (FreeSWITCH's LFLAG_CONNECTED). In async
   * mode that is when the socket application parks the channel (CHANNEL_PARK).
   */
  onConnected?: () => void;
}) => Promise<void>;

/** One dialplan action or anti-action, after variable expansion is NOT yet applied. */
export interface DialplanAction {
  readonly application: string;
  readonly data: string;
  /** `inline="true"` actions run during routing (set, export in hunting), FreeSWITCH-style. */
  readonly inline?: boolean;
}

/** Routing input: what the XML dialplan's conditions may test. */
export interface RoutingInput {
  readonly context: string;
  readonly destinationNumber: string;
  /** Caller profile fields (caller_id_number, network_addr, ani, ...) by their dialplan field names. */
  readonly fields: Readonly<Record<string, string>>;
  /** Channel variables for ${var} fields and expansion. */
  readonly variables: Readonly<Record<string, string>>;
}

/** Result of hunting the dialplan: the extension name and the actions to run, in order. */
export interface RoutingResult {
  readonly extension: string;
  readonly actions: readonly DialplanAction[];
  /**
   * Channel variables the dialplan module sets while hunting (mod_dialplan_xml: DP_MATCH, the
   * captures of the matching regex, `ARRAY::3000|:3000` in capture 10).
   */
  readonly variables?: Readonly<Record<string, string>>;
}
