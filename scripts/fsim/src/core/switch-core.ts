// What the switch model's modules (apps, bridge, api, endpoints, state machine, ...) need of the
// switch: an interface, implemented by switch.ts. They import this, never switch.ts, so imports run
// one way (switch.ts -> modules -> switch-core.ts -> channel/clock/config/event-builder) and the
// core has no import circle (test/no-import-cycles.quick.ts).
import type { EventListener, FsEvent, Header, OutboundConnector, SwitchFacade } from '../types.ts';
import type { CallState, Channel, ChannelState } from './channel.ts';
import type { Clock } from './clock.ts';
import type { EndpointBehaviour, Expander, Logger, Router, SwitchConfig } from './config.ts';
import type { DialLeg } from './dialstring.ts';
import type { EventBuilder } from './event-builder.ts';
import type { GlobalStore, Scheduler } from './globals.ts';

export type EndpointEvent =
  /** headers: the X- headers of an INVITE we send (the leg's sip_h_* variables), as the far end gets them. */
  | { type: 'ringing'; uuid: string; to: string; from: string; headers?: Record<string, string>; channel?: string }
  | { type: 'answered'; uuid: string }
  | { type: 'hangup'; uuid: string; cause: string }
  | { type: 'media'; uuid: string; state: 'started' | 'stopped'; file: string }
  | { type: 'dtmf'; uuid: string; digit: string }
  | { type: 'bridged'; uuid: string; peer: string };
export type EndpointEventListener = (ev: EndpointEvent) => void;

/** Which channel name / behaviour a dial leg gets, or the cause it fails with at once. */
export type ResolvedLeg = { name: string; behaviour: EndpointBehaviour; presence?: string; destination: string; username?: string } | { cause: string };

/** The simulated far ends, as the switch model uses them (endpoints.ts). */
export interface EndpointsPort {
  emit(ev: EndpointEvent): void;
  resolve(leg: DialLeg): ResolvedLeg;
  farEnd(ch: Channel, b: EndpointBehaviour, timeoutMs: number, aLeg?: Channel): Promise<string>;
}

export interface SwitchCore extends SwitchFacade {
  readonly config: SwitchConfig;
  readonly clock: Clock;
  readonly eb: EventBuilder;
  readonly router: Router;
  readonly expand: Expander;
  readonly globals: GlobalStore;
  readonly scheduler: Scheduler;
  readonly outbound: OutboundConnector | undefined;
  readonly log: Logger;
  readonly channels: Map<string, Channel>;
  readonly endpoints: EndpointsPort;
  readonly startedUs: number;
  readonly sessionsSinceStart: number;
  readonly peakSessions: number;
  readonly closed: boolean;
  /** sendmsg execute queue per channel. */
  readonly queues: Map<string, Promise<void>>;
  onEvent(listener: EventListener): () => void;
  fire(ev: FsEvent): void;
  otherOf(ch: Channel): Channel | undefined;
  chEvent(name: string, ch: Channel, opts?: Parameters<EventBuilder['channel']>[2]): void;
  liveCount(): number;
  newChannel(name: string, direction: 'inbound' | 'outbound', endpoint: 'sofia' | 'loopback', uuid?: string): Channel;
  sessionId(): number;
  request(ch: Channel, s: ChannelState): void;
  run(ch: Channel, s: ChannelState): void;
  setCallState(ch: Channel, cs: CallState): void;
  presence(ch: Channel): void;
  codecEvents(ch: Channel): void;
  preAnswer(ch: Channel): void;
  ringReady(ch: Channel): void;
  answer(ch: Channel): void;
  profileIp(ch: Channel): string;
  hangup(ch: Channel, cause?: string): void;
  finish(ch: Channel): void;
  hangupState(ch: Channel): void;
  onPeerHangup(ch: Channel, peer: Channel): void;
  execute(ch: Channel, app: string, rawArg: string, eventUuid?: string): Promise<string>;
  routeAndExecute(ch: Channel, transferred?: boolean): Promise<void>;
  channelData(uuid: string): readonly Header[] | undefined;
  onEndpointEvent(listener: EndpointEventListener): () => void;
}
