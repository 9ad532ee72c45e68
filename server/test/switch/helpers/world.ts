// One scenario body, two switches: a World is the service (in-process, real Redis) in front of
// either the real FreeSWITCH 1.10.12 with SIPp endpoints or fsim with its simulated ones. Tests
// talk to callers, phones and gateways only through this interface, and read what happened from
// the switch's own events (EventTap), so the same assertions hold on both.
//
// The real switch is started once per test file (Site); each scenario gets a fresh Redis, service,
// event tap and endpoints. fsim is started per scenario (it is cheap) at real time (timeScale 1).
import type { Redis } from 'ioredis';
import type { CallControl } from '../../../src/call-control.ts';
import type { Config } from '../../../src/config.ts';
import type { Service } from '../../../src/service.ts';
import type { EventTap } from './event-tap.ts';

export type Backend = 'real' | 'fsim';
export const BACKENDS: readonly Backend[] = ['real', 'fsim'];

export interface PhoneBehaviour {
  /** Ring this long, then answer (default 300 ms). */
  answerAfterMs?: number;
  /** Hang up this long after answering; default: talk until the other side ends. */
  hangupAfterMs?: number;
  neverAnswer?: boolean;
  /** Refuse with 486 Busy Here. */
  busy?: boolean;
  /** Send this tone (Hz) once answered, to tell its audio apart (real: SIPp rtp_stream; fsim: no audio). */
  toneHz?: number;
  /** Send audio for the whole call (real: SIPp rtp_stream), not just the 7 s pcap. */
  streamAudio?: boolean;
}

export interface CallSpec {
  from: string;
  to: string;
  /** Where the INVITE comes from: the carrier's address (default) or the 110 gateway's. */
  via?: 'carrier' | 'gw110';
  sipHeaders?: Readonly<Record<string, string>>;
  /** RFC 2833 digits, each `afterMs` after the previous step (the answer for the first). */
  dtmf?: readonly { afterMs: number; digits: string }[];
  /** Hang up this long after the switch answered (the service answers at once). */
  hangupAfterMs?: number;
  /** Send audio (real: PCMA from SIPp's pcap). */
  audio?: boolean;
  /** Send this tone (Hz) instead, to tell its audio apart. */
  toneHz?: number;
  /** Send audio for the whole call (real: SIPp rtp_stream). */
  streamAudio?: boolean;
}

/** A party of a call whose audio is told apart by its tone. */
export interface Party {
  readonly uuid: string;
  readonly hz: number;
}

export interface Heard {
  /** Per party, the parties whose audio reached it during the measure. */
  readonly heard: Record<string, string[]>;
  /** Per party and source, the tone's amplitude (real: 16-bit linear; fsim: 1 or 0). */
  readonly levels: Record<string, Record<string, number>>;
}

export interface CallHandle {
  readonly from: string;
  /** The caller leg's uuid, as soon as the switch created it. */
  uuid(): Promise<string>;
  /** Resolves when the caller's side of the call is over. */
  readonly done: Promise<void>;
  /** Final SIP status the caller got for its INVITE (real); fsim: 200 or the hangup cause. */
  outcome(): Promise<string>;
}

export interface WorldOptions {
  /** Extra service settings (HOTLINE_*). */
  env?: Record<string, string>;
  flows?: unknown;
  queues?: unknown;
  /** Behaviour of the gateways' far ends (every number alike). Default: answer after 300 ms, talk. */
  gateways?: { carrier?: PhoneBehaviour; gw110?: PhoneBehaviour; dept?: PhoneBehaviour };
}

/** The switch and its endpoints without a service in this process (a test runs its own). */
export interface BareWorld {
  readonly backend: Backend;
  readonly tap: EventTap;
  readonly redisUrl: string;
  /** HOTLINE_* settings that point a service at this switch and Redis. */
  readonly env: Record<string, string>;
  /** Where WebRTC phones register (the internal profile's ws-binding); the real switch only. */
  readonly agentWsUrl?: string;
  /** A desk phone for user/<id>: registered (real) with this behaviour. */
  addPhone(id: string, phone: PhoneBehaviour): Promise<void>;
  call(spec: CallSpec): Promise<CallHandle>;
  /**
   * Who hears whom for `ms` from now. Real: each party's leg is recorded in stereo by the switch
   * (uuid_record, RECORD_STEREO: right = what the switch sent that endpoint) and each other
   * party's tone is measured in it; fsim: its model of the bridge and eavesdrop mixes.
   */
  hears(parties: Readonly<Record<string, Party>>, ms: number): Promise<Heard>;
  /** The INVITEs a gateway's far end received from the switch (request URI, X- headers as sent). */
  invitesAt(gateway: 'gw110' | 'dept'): Promise<{ requestUri: string; headers: Record<string, string> }[]>;
}

export interface World extends BareWorld {
  readonly service: Service;
  readonly calls: CallControl;
  readonly redis: Redis;
  readonly config: Config;
  /** A registered desk phone with this behaviour, and an agent on it (created, logged in, ready unless told). */
  addAgent(id: string, skills: Record<string, number>, phone: PhoneBehaviour, opts?: { ready?: boolean }): Promise<void>;
}

export interface Site {
  readonly backend: Backend;
  world(t: Teardown, opts?: WorldOptions): Promise<World>;
  bare(t: Teardown, opts?: WorldOptions): Promise<BareWorld>;
}

export type Teardown = { teardown(fn: () => unknown): void };

/** Poll until fn returns a value (not undefined/false), or fail after ms. */
export async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
