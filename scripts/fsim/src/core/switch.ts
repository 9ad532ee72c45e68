// The switch: channel registry, FreeSWITCH's channel state machine and its event sequences.
// Applications live in apps.ts, API commands in api.ts, simulated far ends in endpoints.ts.
import { randomUUID } from 'node:crypto';
import type { EventListener, FsEvent, Header, OutboundConnector, SendMsg, SwitchFacade } from '../types.ts';
import { Channel, CALLSTATE_NUMBERS } from './channel.ts';
import type { CallState, ChannelState } from './channel.ts';
import type { Clock } from './clock.ts';
import { RealClock } from './clock.ts';
import { defaultConfig, simpleExpand } from './config.ts';
import type { EndpointBehaviour, Expander, Logger, Router, SwitchConfig } from './config.ts';
import { EventBuilder } from './event-builder.ts';
import { setHangupVars, setLocalSdp, setMediaVars } from './sofia-vars.ts';
import { runApp } from './apps.ts';
import { runApi } from './api.ts';
import { loopbackPeerOf } from './loopback.ts';
import { Endpoints } from './endpoints.ts';
import type { EndpointEventListener, PlaceCallOptions } from './endpoints.ts';

export interface SwitchOptions {
  config?: Partial<SwitchConfig>;
  clock?: Clock;
  router?: Router;
  expand?: Expander;
  outbound?: OutboundConnector;
  logger?: Logger;
}

export class Switch implements SwitchFacade {
  readonly coreUuid = randomUUID();
  readonly config: SwitchConfig;
  readonly clock: Clock;
  readonly eb: EventBuilder;
  readonly router: Router;
  readonly expand: Expander;
  readonly outbound: OutboundConnector | undefined;
  readonly log: Logger;
  readonly channels = new Map<string, Channel>();
  readonly endpoints: Endpoints;
  readonly startedUs: number;
  sessionsSinceStart = 0;
  peakSessions = 0;
  private nextSessionId = 1;
  private readonly listeners = new Set<EventListener>();
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
    this.startedUs = this.clock.nowUs();
    this.endpoints = new Endpoints(this);
    const hb = this.config.heartbeatSec ?? 20;
    this.stopHeartbeat = hb > 0 ? this.clock.every(hb * 1000, () => this.fireHeartbeat()) : () => undefined;
  }

  // ---- SwitchFacade ----
  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  api(command: string, args: string, opts?: { jobUuid?: string }): Promise<string> {
    return runApi(this, command, args, opts).catch((e: unknown) => `-ERR ${String(e)}\n`);
  }

  async sendmsg(uuid: string, msg: SendMsg, opts?: { controlled?: boolean }): Promise<string> {
    const ch = this.channels.get(uuid);
    if (!ch || ch.destroyed) return `-ERR invalid session id [${uuid}]`;
    const cmd = (msg.headers.get('call-command') ?? '').toLowerCase();
    if (cmd === 'hangup') {
      this.hangup(ch, msg.headers.get('hangup-cause') ?? 'NORMAL_CLEARING');
      return '+OK';
    }
    if (cmd === 'execute') {
      const app = msg.headers.get('execute-app-name') ?? '';
      const arg = msg.headers.get('execute-app-arg') ?? msg.body ?? '';
      const loops = Math.max(1, Number(msg.headers.get('loops') ?? 1) || 1);
      const eventUuid = msg.headers.get('event-uuid');
      if (ch.controlled) this.fire(this.eb.channel('PRIVATE_COMMAND', ch, { vars: true }));
      const job = async (): Promise<void> => {
        for (let i = 0; i < loops && !ch.isHungUp; i++) await this.execute(ch, app, arg, eventUuid);
      };
      const q = this.queues.get(uuid) ?? Promise.resolve();
      const next = q.then(job).catch(() => undefined);
      this.queues.set(uuid, next);
      void opts;
      return '+OK';
    }
    if (cmd === 'unicast' || cmd === 'nomedia' || cmd === 'xferext') return '+OK';
    return '-ERR Invalid Command!';
  }
  /** sendmsg execute queue per channel: FreeSWITCH runs queued applications one after another. */
  readonly queues = new Map<string, Promise<void>>();

  channelData(uuid: string): readonly Header[] | undefined {
    const ch = this.channels.get(uuid);
    if (!ch || ch.destroyed) return undefined;
    return this.eb.channel('CHANNEL_DATA', ch, { sourceKey: 'CHANNEL_DATA_DUMP', vars: true, other: this.otherOf(ch) }).headers;
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
    for (const l of [...this.listeners]) {
      try {
        l(ev);
      } catch (e) {
        this.log.error?.('event listener failed', e);
      }
    }
  }

  otherOf(ch: Channel): Channel | undefined {
    // FreeSWITCH keeps a copy of the other leg's profile: it outlives that channel (capture 08).
    return ch.other ? this.channels.get(ch.other.uuid) ?? ch.other.ref : undefined;
  }

  chEvent(name: string, ch: Channel, opts: Parameters<EventBuilder['channel']>[2] = {}): void {
    this.fire(this.eb.channel(name, ch, { other: this.otherOf(ch), ...opts }));
  }

  private fireHeartbeat(): void {
    if (this.closed) return;
    const up = this.clock.nowUs() - this.startedUs;
    this.fire(this.eb.plain('HEARTBEAT', [
      ['Event-Info', 'System Ready'], ['Up-Time', uptimeText(up)], ['FreeSWITCH-Version', '1.10.12-release+git~20240802T210227Z~a88d069d6f~64bit'],
      ['Uptime-msec', String(Math.floor(up / 1000))], ['Session-Count', String(this.liveCount())],
      ['Max-Sessions', String(this.config.maxSessions ?? 1000)], ['Session-Per-Sec', '30'], ['Session-Per-Sec-Last', '0'],
      ['Session-Per-Sec-Max', '2'], ['Session-Per-Sec-FiveMin', '0'], ['Session-Since-Startup', String(this.sessionsSinceStart)],
      ['Session-Peak-Max', String(this.peakSessions)], ['Session-Peak-FiveMin', String(this.peakSessions)],
      ['Idle-CPU', '98.000000'],
    ]));
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
    if (!ch.isHungUp || s === 'CS_HANGUP' || s === 'CS_REPORTING' || s === 'CS_DESTROY') ch.state = s;
  }

  /** The state machine thread picks the requested state up: CHANNEL_STATE. */
  run(ch: Channel, s: ChannelState): void {
    ch.runningState = s;
    if (ch.state !== s && STATE_ORDER(ch.state) < STATE_ORDER(s)) ch.state = s;
    this.chEvent('CHANNEL_STATE', ch);
  }

  setCallState(ch: Channel, cs: CallState): void {
    if (ch.callState === cs) return;
    const orig = ch.callState;
    ch.callState = cs;
    this.chEvent('CHANNEL_CALLSTATE', ch, {
      pre: [['Original-Channel-Call-State', orig], ['Channel-Call-State-Number', String(CALLSTATE_NUMBERS[cs])]],
    });
  }

  presence(ch: Channel): void {
    if (!ch.presenceId) return;
    const login = ch.vars.get('sofia_profile_name') ?? 'internal';
    const status = ch.isHungUp ? 'CS_HANGUP' : ch.answered ? 'Answered' : ch.callState === 'RINGING' ? 'CS_ROUTING' : 'CS_ROUTING';
    const infoState = ch.isHungUp ? 'terminated' : ch.answered ? 'active' : ch.direction === 'inbound' ? 'ringing' : 'early';
    this.chEvent('PRESENCE_IN', ch, {
      post: [
        ['proto', 'sip'], ['login', login], ['from', ch.presenceId], ['rpid', 'unknown'], ['status', status],
        ['event_type', 'presence'], ['alt_event_type', 'dialog'], ['presence-call-info-state', infoState],
        ['presence-call-direction', ch.direction], ['event_count', '1'],
        ['Presence-Calling-File', 'switch_channel.c'], ['Presence-Calling-Function', 'switch_channel_set_callstate'],
        ['Presence-Calling-Line', '302'],
      ],
    });
  }

  codecEvents(ch: Channel): void {
    if (ch.mediaUp) return;
    ch.mediaUp = true;
    const c = ch.codec;
    const rd: Header[] = [['channel-read-codec-name', c.name], ['channel-read-codec-rate', c.rate], ['channel-read-codec-bit-rate', c.bitRate]];
    const wr: Header[] = [['Channel-Write-Codec-Name', c.name], ['Channel-Write-Codec-Rate', c.rate], ['Channel-Write-codec-bit-rate', c.bitRate]];
    this.chEvent('CODEC', ch, { sourceKey: 'CODEC_READ', post: rd });
    this.chEvent('CODEC', ch, { sourceKey: 'CODEC_WRITE', post: wr });
  }

  preAnswer(ch: Channel): void {
    if (ch.isHungUp || ch.times.progressMedia || ch.answered) return;
    if (ch.endpoint === 'sofia') setMediaVars(ch, this.profileIp(ch));
    this.codecEvents(ch);
    ch.times.progressMedia = this.clock.nowUs();
    ch.answerState = 'early';
    if (ch.endpoint === 'sofia') ch.vars.set('endpoint_disposition', 'EARLY MEDIA');
    this.chEvent('CHANNEL_PROGRESS_MEDIA', ch);
    this.setCallState(ch, 'EARLY');
  }

  ringReady(ch: Channel): void {
    if (ch.isHungUp || ch.times.progress) return;
    ch.times.progress = this.clock.nowUs();
    this.chEvent('CHANNEL_PROGRESS', ch);
    this.setCallState(ch, 'RINGING');
  }

  /** switch_channel_mark_answered for an inbound leg (after pre-answer) or a far end answering. */
  answer(ch: Channel): void {
    if (ch.isHungUp || ch.answered) return;
    // A loopback -b leg answering answers its -a leg first (capture 05).
    const lp = ch.endpoint === 'loopback' && ch.direction === 'inbound' ? loopbackPeerOf(this, ch) : undefined;
    if (lp) this.answer(lp);
    // A loopback leg has media from the start: no pre-answer (no progress_media_stamp, capture 05).
    if (ch.direction === 'inbound' && ch.endpoint === 'sofia') this.preAnswer(ch);
    else {
      if (ch.endpoint === 'sofia' && !ch.vars.has('rtp_use_codec_name')) setMediaVars(ch, this.profileIp(ch));
      this.codecEvents(ch);
    }
    if (ch.endpoint === 'sofia') setLocalSdp(ch, this.profileIp(ch));
    ch.times.answered = this.clock.nowUs();
    ch.answerState = 'answered';
    this.chEvent('CHANNEL_ANSWER', ch);
    this.presence(ch);
    this.setCallState(ch, 'ACTIVE');
    if (ch.endpoint === 'sofia' || lp) ch.vars.set('endpoint_disposition', 'ANSWER');
    this.endpoints.emit({ type: 'answered', uuid: ch.uuid });
  }

  profileIp(ch: Channel): string {
    const name = ch.vars.get('sofia_profile_name');
    return this.config.profiles.find((p) => p.name === name)?.ip ?? this.config.profiles[0]?.ip ?? '127.0.0.1';
  }

  /** switch_channel_hangup: CHANNEL_HANGUP now; the rest runs when the channel's thread winds down. */
  hangup(ch: Channel, cause = 'NORMAL_CLEARING'): void {
    if (ch.isHungUp || ch.destroyed) return;
    ch.hangupCause = cause;
    ch.answerState = 'hangup';
    ch.times.hangup = this.clock.nowUs();
    ch.vars.set('hangup_cause', undefined);
    this.request(ch, 'CS_HANGUP');
    this.chEvent('CHANNEL_HANGUP', ch);
    this.endpoints.emit({ type: 'hangup', uuid: ch.uuid, cause });
    ch.hangupCtl.abort();
    ch.breakCtl.abort();
    for (const w of ch.dtmfWaiters) w();
    // mod_loopback hangs the other half up with the same cause.
    const lp = loopbackPeerOf(this, ch);
    if (lp) this.hangup(lp, cause);
    // A channel with no thread of its own (parked originate leg, ringing leg) finishes now.
    if (!ch.busy && !ch.inBridge) this.finish(ch);
  }

  /** CS_HANGUP -> CS_REPORTING -> CS_DESTROY, as the state machine runs them. */
  finish(ch: Channel): void {
    if (ch.destroyed || ch.finishing) return;
    this.hangupState(ch);
    ch.finishing = true;
    this.request(ch, 'CS_REPORTING');
    this.presence(ch);
    this.run(ch, 'CS_REPORTING');
    ch.onReport?.();
    setHangupVars(ch);
    if (ch.endpoint === 'loopback') ch.vars.set('is_loopback', '1');
    this.chEvent('CHANNEL_HANGUP_COMPLETE', ch, { pre: [['Hangup-Cause', ch.hangupCause ?? 'NORMAL_CLEARING']] });
    this.request(ch, 'CS_DESTROY');
    this.chEvent('CHANNEL_DESTROY', ch);
    ch.runningState = 'CS_DESTROY';
    this.chEvent('CHANNEL_STATE', ch);
    ch.destroyed = true;
    this.channels.delete(ch.uuid);
    this.queues.delete(ch.uuid);
    ch.markDestroyed();
  }

  /** The CS_HANGUP half of finishing: the state machine enters CS_HANGUP (callstate HANGUP). */
  hangupState(ch: Channel): void {
    if (ch.destroyed || ch.hangupRun) return;
    ch.hangupRun = true;
    const peer = ch.bridgedTo ? this.channels.get(ch.bridgedTo) : undefined;
    if (peer && !peer.isHungUp) this.onPeerHangup(peer, ch);
    this.run(ch, 'CS_HANGUP');
    this.setCallState(ch, 'HANGUP');
  }

  /** The bridged peer hung up: hangup_after_bridge (default true for bridge app a-legs). */
  onPeerHangup(ch: Channel, _peer: Channel): void {
    ch.bridgeEnded?.();
  }

  /** Run one application with CHANNEL_EXECUTE / CHANNEL_EXECUTE_COMPLETE around it. */
  async execute(ch: Channel, app: string, rawArg: string, eventUuid?: string): Promise<string> {
    if (ch.isHungUp) return '';
    const arg = this.expand(rawArg, ch.vars.toObject());
    const appUuid = eventUuid ?? randomUUID();
    ch.vars.unset('current_application_response');
    ch.vars.set('current_application', app);
    ch.vars.set('current_application_data', arg);
    const appHeaders: Header[] = [['Application', app]];
    if (arg) appHeaders.push(['Application-Data', arg]);
    this.chEvent('CHANNEL_EXECUTE', ch, { post: [...appHeaders, ['Application-UUID', appUuid]] });
    ch.vars.set('current_application_data', arg);
    ch.vars.set('current_application', app);
    const wasBusy = ch.busy;
    ch.busy = true;
    let response = '_none_';
    try {
      response = (await runApp(this, ch, app, arg)) ?? '_none_';
    } catch (e) {
      this.log.warn?.(`app ${app} failed`, e);
    } finally {
      ch.busy = wasBusy;
    }
    if (response !== '_none_') ch.vars.set('current_application_response', response);
    this.chEvent('CHANNEL_EXECUTE_COMPLETE', ch, {
      post: [...appHeaders, ['Application-Response', response], ['Application-UUID', appUuid]],
    });
    return response;
  }

  /** Route (CS_ROUTING) and execute (CS_EXECUTE) in a loop, as transfers re-enter routing. */
  async routeAndExecute(ch: Channel, transferred = false): Promise<void> {
    ch.busy = true;
    try {
      for (let pass = transferred ? 1 : 0; pass < 20 && !ch.isHungUp; pass++) {
        const p = ch.profile;
        if (!p) break;
        if (pass > 0) {
          this.setCallState(ch, 'RINGING');
          this.request(ch, 'CS_ROUTING');
        }
        this.run(ch, 'CS_ROUTING');
        this.eb.nextSequence(); // FreeSWITCH fires one undelivered event here (sequence gap in captures)
        const result = this.router({
          context: p.context, destinationNumber: p.destinationNumber,
          fields: {
            caller_id_name: p.callerIdName, caller_id_number: p.callerIdNumber, ani: p.ani,
            destination_number: p.destinationNumber, network_addr: p.networkAddr, context: p.context,
            username: p.username ?? '', dialplan: p.dialplan, uuid: ch.uuid, source: p.source,
          },
          variables: ch.vars.toObject(),
        });
        if (!result) {
          this.presence(ch);
          this.hangup(ch, 'NO_ROUTE_DESTINATION');
          break;
        }
        for (const a of result.actions) if (a.inline) await runApp(this, ch, a.application, this.expand(a.data, ch.vars.toObject()));
        this.request(ch, 'CS_EXECUTE');
        if (pass === 0) this.presence(ch);
        if (pass > 0) this.setCallState(ch, ch.answered ? 'ACTIVE' : 'RINGING');
        this.run(ch, 'CS_EXECUTE');
        ch.vars.set('call_uuid', ch.callUuid);
        ch.transferTo = undefined;
        for (const a of result.actions) {
          if (a.inline) continue;
          if (ch.isHungUp || ch.transferTo) break;
          await this.execute(ch, a.application, a.data);
        }
        // A transfer already gave the channel its new caller profile (transfer.ts): route again.
        if (ch.transferTo && !ch.isHungUp) continue;
        // Out of dialplan actions: FreeSWITCH hangs up with NORMAL_CLEARING.
        if (!ch.isHungUp) this.hangup(ch, 'NORMAL_CLEARING');
      }
    } finally {
      ch.busy = false;
      if (ch.isHungUp) this.finish(ch);
    }
  }

  // ---- simulated endpoints (control API) ----
  registerUser(id: string, behaviour: EndpointBehaviour = {}): void {
    this.endpoints.registerUser(id, behaviour);
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
    this.hangup(ch, cause);
    return true;
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
    for (const ch of [...this.channels.values()]) this.hangup(ch, 'SYSTEM_SHUTDOWN');
    this.endpoints.close();
    this.closed = true;
  }
}

const ORDER: readonly ChannelState[] = [
  'CS_NEW', 'CS_INIT', 'CS_ROUTING', 'CS_SOFT_EXECUTE', 'CS_EXECUTE', 'CS_EXCHANGE_MEDIA', 'CS_PARK',
  'CS_CONSUME_MEDIA', 'CS_HIBERNATE', 'CS_RESET', 'CS_HANGUP', 'CS_REPORTING', 'CS_DESTROY', 'CS_NONE',
];
function STATE_ORDER(s: ChannelState): number {
  return ORDER.indexOf(s);
}

export function uptimeText(us: number): string {
  let r = Math.floor(us);
  const micro = r % 1000; r = Math.floor(r / 1000);
  const ms = r % 1000; r = Math.floor(r / 1000);
  const s = r % 60; r = Math.floor(r / 60);
  const m = r % 60; r = Math.floor(r / 60);
  const h = r % 24; r = Math.floor(r / 24);
  const d = r % 365; const y = Math.floor(r / 365);
  return `${y} years, ${d} days, ${h} hours, ${m} minutes, ${s} seconds, ${ms} milliseconds, ${micro} microseconds`;
}
