// Switch configuration: what a FreeSWITCH box would have in vars.xml, sofia profiles and the
// user directory, reduced to what the simulator needs.
import type { RoutingInput, RoutingResult } from '../types.ts';

export interface SofiaProfileConfig {
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  /** Context inbound calls on this profile are routed in. */
  readonly context: string;
  /**
   * sofia's `manage-presence` (FreeSWITCH default true): PRESENCE_IN events for the profile's
   * channels. The project's profiles set it false (dialplan/sip_profiles/*.xml).
   */
  readonly managePresence?: boolean;
}

/** What a simulated far end does when the switch calls it. */
export interface EndpointBehaviour {
  /** Answer after this many ms of ringing (default 1000). */
  readonly answerAfterMs?: number;
  /** Reject with this cause instead of answering (USER_BUSY, CALL_REJECTED, ...). */
  readonly rejectCause?: string;
  /** Ring forever (until originate_timeout / the caller gives up). */
  readonly neverAnswer?: boolean;
  /** Hang up this many ms after answering. */
  readonly hangupAfterMs?: number;
  /** Ring until Switch.answer(uuid) / Switch.hangup(uuid) is called. */
  readonly manual?: boolean;
}

export interface GatewayConfig {
  readonly name: string;
  /** Host the gateway's calls go to (for sip_* variables). */
  readonly proxy?: string;
  /** Behaviour per dialled number; `*` is the default. */
  readonly numbers?: Readonly<Record<string, EndpointBehaviour>>;
}

export interface SwitchConfig {
  readonly hostname: string;
  readonly switchname?: string;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly domain: string;
  readonly profiles: readonly SofiaProfileConfig[];
  readonly gateways?: readonly GatewayConfig[];
  /** Directory users (ids) that exist; registration is separate (registerUser). */
  readonly users?: readonly string[];
  /** Playback length of a plain file (ms), since the simulator has no audio files. */
  readonly defaultFileMs?: number;
  /** HEARTBEAT interval in seconds (FreeSWITCH default 20); 0 disables. */
  readonly heartbeatSec?: number;
  readonly maxSessions?: number;
}

export const defaultConfig: SwitchConfig = {
  hostname: 'vm',
  switchname: 'vm',
  ipv4: '192.0.2.2',
  ipv6: 'fd00::2',
  domain: '127.0.0.1',
  profiles: [{ name: 'internal', ip: '127.0.0.1', port: 5060, context: 'default' }],
  gateways: [],
  users: Array.from({ length: 20 }, (_, i) => String(1000 + i)),
  defaultFileMs: 3000,
  heartbeatSec: 20,
  maxSessions: 1000,
};

export type Router = (input: RoutingInput) => RoutingResult | undefined;
/** Expands ${var} / $1 references; `vars` are the channel's variables. */
export type Expander = (text: string, vars: Readonly<Record<string, string>>) => string;

export interface Logger {
  debug?(msg: string, ...a: unknown[]): void;
  info?(msg: string, ...a: unknown[]): void;
  warn?(msg: string, ...a: unknown[]): void;
  error?(msg: string, ...a: unknown[]): void;
}

/** Minimal ${var} expander used when the dialplan layer gives none. */
export const simpleExpand: Expander = (text, vars) =>
  text.replace(/\$\{([^}]+)\}/g, (_, name: string) => vars[name] ?? '');
