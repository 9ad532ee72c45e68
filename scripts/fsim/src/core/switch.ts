// The switch: channel registry, event bus and the SwitchFacade the ESL layer talks to.
// The state machine lives in state-machine.ts, application runs in execute.ts, sendmsg in
// sendmsg.ts, applications in apps.ts, API commands in api.ts, simulated far ends in endpoints.ts.
import { randomUUID } from 'node:crypto';
import { eventChannel } from '../event-header.ts';
import type { EventListener, FsEvent, Header, OutboundConnector, SendMsg } from '../types.ts';
import type { SwitchCore } from './switch-core.ts';
import { Channel } from './channel.ts';
import type { CallState, ChannelState } from './channel.ts';
import type { Clock } from './clock.ts';
import { RealClock } from './clock.ts';
import { defaultConfig, simpleExpand } from './config.ts';
import type { EndpointBehaviour, Expander, Logger, Router, SwitchConfig } from './config.ts';
import { EventBuilder } from './event-builder.ts';
import { runApi } from './api.ts';
import { handleSendmsg } from './sendmsg.ts';
import { fireHeartbeat, uptimeText } from './heartbeat.ts';
import { executeApp, routeAndExecute } from './execute.ts';
import {
  codecEvents, enterHangupState, finishChannel, firePresence, hangupChannel, holdSession, markAnswered,
  markPreAnswered, markRingReady, onPeerHangup, profileIp, requestState, runState, setCallState, farEndHangup,
} from './state-machine.ts';
import { Endpoints } from './endpoints.ts';
import type { EndpointEventListener, PlaceCallOptions } from './endpoints.ts';
import { audioSources } from './eavesdrop.ts';
import { Scheduler, type GlobalStore } from './globals.ts';

function mapStore(): GlobalStore {
  const m = new Map<string, string>();
  return { get: (n) => m.get(n), set: (n, v) => void m.set(n, v) };
}

export interface SwitchOptions {
  config?: Partial<SwitchConfig>;
  /** Global variables (the dialplan's $${...}, global_setvar); default: a store of its own. */
  globals?: GlobalStore;
  clock?: Clock;
  router?: Router;
  expand?: Expander;
  outbound?: OutboundConnector;
  logger?: Logger;
}

export class Switch implements SwitchCore {
  readonly coreUuid = randomUUID();
  readonly config: SwitchConfig;
  readonly clock: Clock;
  readonly eb: EventBuilder;
  readonly router: Router;
  readonly expand: Expander;
  readonly outbound: OutboundConnector | undefined;
  readonly log: Logger;
  readonly globals: GlobalStore;
  readonly scheduler: Scheduler;
  readonly channels = new Map<string, Channel>();
  readonly endpoints: Endpoints;
  readonly startedUs: number;
  sessionsSinceStart = 0;
  peakSessions = 0;
  private nextSessionId = 1;
  private readonly listeners = new Set<EventListener>();
  /** The listeners as fire() hands an event to them; rebuilt after a change. */
  private snapshot: EventListener[] | undefined;
  /** Listeners of one channel's events (outbound sockets), by Unique-ID. */
  private readonly byChannel = new Map<string, Set<EventListener>>();
  private readonly stopHeartbeat: () => void;
  closed = false;

  constructor(opts: SwitchOptions = {}) {
    this.config = { ...defaultConfig, ...opts.config };
    this.clock = opts.clock ?? new RealClock();
    this.eb = new EventBuilder(this.config, this.coreUuid, this.clock);
    this.router = opts.router ?? (() => undefined);
    this.expand = opts.expand ?? simpleExpand;
    this.outbound = opts.outbound;
    this.log = opts.logger ?? {};
    this.globals = opts.globals ?? mapStore();
    this.scheduler = new Scheduler(this.clock);
    this.startedUs = this.clock.nowUs();
    this.endpoints = new Endpoints(this);
    const hb = this.config.heartbeatSec ?? 20;
    this.stopHeartbeat = hb > 0 ? this.clock.every(hb * 1000, () => fireHeartbeat(this)) : () => undefined;
  }

  // ---- SwitchFacade ----
  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    this.snapshot = undefined;
    return () => {
      this.listeners.delete(listener);
      this.snapshot = undefined;
    };
  }

  onChannelEvent(uuid: string, listener: EventListener): () => void {
    let set = this.byChannel.get(uuid);
    if (!set) this.byChannel.set(uuid, (set = new Set()));
    set.add(listener);
    const mine = set;
    return () => {
      mine.delete(listener);
      if (!mine.size && this.byChannel.get(uuid) === mine) this.byChannel.delete(uuid);
    };
  }

  api(command: string, args: string, opts?: { jobUuid?: string }): Promise<string> {
    return runApi(this, command, args, opts).catch((e: unknown) => `-ERR ${String(e)}\n`);
  }

  sendmsg(uuid: string, msg: SendMsg, opts?: { controlled?: boolean }): Promise<string> {
    return handleSendmsg(this, uuid, msg, opts);
  }
  /** sendmsg execute queue per channel: FreeSWITCH runs queued applications one after another. */
  readonly queues = new Map<string, Promise<void>>();

  channelData(uuid: string): readonly Header[] | undefined {
    const ch = this.channels.get(uuid);
    if (!ch || ch.destroyed) return undefined;
    return this.eb.channel('CHANNEL_DATA', ch, { sourceKey: 'CHANNEL_DATA_DUMP', vars: true, other: this.otherOf(ch) }).headers;
  }

  /**
   * Hold the channel's session (an outbound-socket listener does while its socket is open): a
   * channel that hangs up meanwhile stops after CHANNEL_HANGUP_COMPLETE and fires CHANNEL_DESTROY
   * when the returned release is called. Unknown or gone channels get a no-op release.
   */
  holdSession(uuid: string): () => void {
    const ch = this.channels.get(uuid);
    if (!ch || ch.destroyed) return () => undefined;
    return holdSession(this, ch);
  }

  channelExists(uuid: string): boolean {
    const ch = this.channels.get(uuid);
    return !!ch && !ch.destroyed;
  }

  eventMeta(): { sequence: number; timestampUs: number } {
    return { sequence: this.eb.nextSequence(), timestampUs: this.clock.nowUs() };
  }

  baseHeaders(name: string, callingFile: string, callingFunction: string, callingLine: number): Header[] {
    return this.eb.base(name, callingFile, callingFunction, callingLine);
  }

  // ---- events ----
  /** SwitchFacade.fireEvent: lets the ESL layer fire BACKGROUND_JOB to every subscriber. */
  fireEvent(ev: FsEvent): void {
    this.fire(ev);
  }

  fire(ev: FsEvent): void {
    // A listener added or removed while an event is handed out takes effect from the next event:
    // the array is copied once per change, not once per event.
    for (const l of (this.snapshot ??= [...this.listeners])) this.deliver(l, ev);
    if (!this.byChannel.size) return;
    const uuid = eventChannel(ev);
    const set = uuid === undefined ? undefined : this.byChannel.get(uuid);
    if (set) for (const l of [...set]) this.deliver(l, ev);
  }

  private deliver(l: EventListener, ev: FsEvent): void {
    try {
      l(ev);
    } catch (e) {
      this.log.error?.('event listener failed', e);
    }
  }

  otherOf(ch: Channel): Channel | undefined {
    // FreeSWITCH keeps a copy of the other leg's profile: it outlives that channel (capture 08).
    return ch.other ? this.channels.get(ch.other.uuid) ?? ch.other.ref : undefined;
  }

  chEvent(name: string, ch: Channel, opts: Parameters<EventBuilder['channel']>[2] = {}): void {
    this.fire(this.eb.channel(name, ch, { other: this.otherOf(ch), ...opts }));
  }

  liveCount(): number {
    let n = 0;
    for (const c of this.channels.values()) if (!c.destroyed) n++;
    return n;
  }

  // ---- state machine primitives ----
  newChannel(name: string, direction: 'inbound' | 'outbound', endpoint: 'sofia' | 'loopback', uuid: string = randomUUID()): Channel {
    const ch = new Channel(uuid, name, direction, endpoint, this.clock.nowUs());
    this.channels.set(ch.uuid, ch);
    this.sessionsSinceStart++;
    this.peakSessions = Math.max(this.peakSessions, this.liveCount());
    return ch;
  }

  sessionId(): number {
    return this.nextSessionId++;
  }

  /** Request a state (Channel-State-Number changes). */
  request(ch: Channel, s: ChannelState): void {
    requestState(this, ch, s);
  }
  /** The state machine thread picks the requested state up: CHANNEL_STATE. */
  run(ch: Channel, s: ChannelState): void {
    runState(this, ch, s);
  }
  setCallState(ch: Channel, cs: CallState): void {
    setCallState(this, ch, cs);
  }
  presence(ch: Channel): void {
    firePresence(this, ch);
  }
  codecEvents(ch: Channel): void {
    codecEvents(this, ch);
  }
  preAnswer(ch: Channel): void {
    markPreAnswered(this, ch);
  }
  ringReady(ch: Channel): void {
    markRingReady(this, ch);
  }
  /** switch_channel_mark_answered for an inbound leg (after pre-answer) or a far end answering. */
  answer(ch: Channel): void {
    markAnswered(this, ch);
  }
  profileIp(ch: Channel): string {
    return profileIp(this, ch);
  }
  /** switch_channel_hangup: CHANNEL_HANGUP now; the rest runs when the channel's thread winds down. */
  hangup(ch: Channel, cause = 'NORMAL_CLEARING'): void {
    hangupChannel(this, ch, cause);
  }
  /** CS_HANGUP -> CS_REPORTING -> CS_DESTROY, as the state machine runs them. */
  finish(ch: Channel): void {
    finishChannel(this, ch);
  }
  /** The CS_HANGUP half of finishing: the state machine enters CS_HANGUP (callstate HANGUP). */
  hangupState(ch: Channel): void {
    enterHangupState(this, ch);
  }
  /** The bridged peer hung up: hangup_after_bridge (default true for bridge app a-legs). */
  onPeerHangup(ch: Channel, peer: Channel): void {
    onPeerHangup(this, ch, peer);
  }
  /** Run one application with CHANNEL_EXECUTE / CHANNEL_EXECUTE_COMPLETE around it. */
  execute(ch: Channel, app: string, rawArg: string, eventUuid?: string): Promise<string> {
    return executeApp(this, ch, app, rawArg, eventUuid);
  }
  /** Route (CS_ROUTING) and execute (CS_EXECUTE) in a loop, as transfers re-enter routing. */
  routeAndExecute(ch: Channel, transferred = false): Promise<void> {
    return routeAndExecute(this, ch, transferred);
  }

  // ---- simulated endpoints (control API) ----
  /** `profile`: the sofia profile the phone registered on (default the first); it names the user's legs. */
  registerUser(id: string, behaviour: EndpointBehaviour = {}, profile?: string): void {
    this.endpoints.registerUser(id, behaviour, profile);
  }
  unregisterUser(id: string): void {
    this.endpoints.unregisterUser(id);
  }
  placeCall(opts: PlaceCallOptions): string {
    return this.endpoints.placeCall(opts);
  }
  answerCall(uuid: string): boolean {
    return this.endpoints.answer(uuid);
  }
  hangupCall(uuid: string, cause = 'NORMAL_CLEARING'): boolean {
    const ch = this.channels.get(uuid);
    if (!ch) return false;
    // The simulated far end hangs up (control API): its BYE, not one FreeSWITCH sends.
    farEndHangup(this, ch, cause);
    return true;
  }
  /** Whose audio reaches this leg (no audio is simulated: the bridge and eavesdrop mixes, eavesdrop.ts). */
  audioSources(uuid: string): string[] {
    return audioSources(this, uuid);
  }
  sendDtmf(uuid: string, digits: string): boolean {
    return this.endpoints.sendDtmf(uuid, digits);
  }
  onEndpointEvent(listener: EndpointEventListener): () => void {
    return this.endpoints.on(listener);
  }
  listChannels(): { uuid: string; name: string; direction: string; state: string; callState: string; answered: boolean; destination: string; callerId: string; bridgedTo?: string }[] {
    return [...this.channels.values()].filter((c) => !c.destroyed).map((c) => ({
      uuid: c.uuid, name: c.name, direction: c.direction, state: c.runningState, callState: c.callState,
      answered: c.answered, destination: c.profile?.destinationNumber ?? '', callerId: c.profile?.callerIdNumber ?? '',
      ...(c.bridgedTo ? { bridgedTo: c.bridgedTo } : {}),
    }));
  }

  close(): void {
    if (this.closed) return;
    this.stopHeartbeat();
    this.scheduler.close();
    for (const ch of [...this.channels.values()]) this.hangup(ch, 'SYSTEM_SHUTDOWN');
    this.endpoints.close();
    this.closed = true;
  }
}

export { uptimeText };
