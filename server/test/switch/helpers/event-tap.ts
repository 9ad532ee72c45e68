// The test's own inbound ESL connection to the switch (real or fsim): every channel, playback and
// DTMF event with its Event-Date-Timestamp, so scenarios assert on what the switch itself reports
// (prompt order, ring times, bridges, SLA figures, RTP packet counts) rather than on the service.
import { InboundNode } from '../../../src/freeswitch/inbound-node.ts';
import { createLogger } from '../../../src/log.ts';

export interface TapEvent {
  readonly name: string;
  readonly uuid: string;
  readonly tsUs: number;
  readonly callerNumber: string;
  readonly direction: string;
  readonly get: (header: string) => string | undefined;
}

const EVENTS = [
  'CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_UNBRIDGE', 'CHANNEL_HOLD', 'CHANNEL_UNHOLD',
  'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_EXECUTE_COMPLETE', 'PLAYBACK_START', 'PLAYBACK_STOP', 'DTMF',
  'MEDIA_BUG_START', 'MEDIA_BUG_STOP',
  // The dialplan's intake event (public.xml hotline_intake_dialplan): CUSTOM goes last, then subclasses.
  'CUSTOM', 'hotline::intake',
];

export class EventTap {
  readonly events: TapEvent[] = [];
  private readonly node: InboundNode;
  private ready = false;

  constructor(opts: { port: number; password: string }) {
    this.node = new InboundNode(
      {
        name: 'tap', host: '127.0.0.1', port: opts.port, password: opts.password, commandTimeoutMs: 10_000,
        reconnect: { initialMs: 100, maxMs: 1000, jitter: 0 }, events: EVENTS, logger: createLogger({ level: 'silent' }),
      },
      {
        onEvent: (raw) => {
          const name = raw.get('Event-Name') ?? '';
          this.events.push({
            name,
            uuid: raw.get('Unique-ID') ?? '',
            tsUs: Number(raw.get('Event-Date-Timestamp') ?? 0),
            callerNumber: raw.get('Caller-Caller-ID-Number') ?? '',
            direction: raw.get('Call-Direction') ?? '',
            get: raw.get,
          });
        },
        onConnected: () => void (this.ready = true),
        onDisconnected: () => void (this.ready = false),
      },
    );
  }

  async start(): Promise<void> {
    this.node.start();
    const deadline = Date.now() + 10_000;
    while (!this.ready) {
      if (Date.now() > deadline) throw new Error('event tap: no ESL connection');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  stop(): void {
    this.node.stop();
  }

  api(cmd: string): Promise<string> {
    return this.node.api(cmd);
  }

  /** Events of one leg, in order. */
  of(uuid: string, name?: string): TapEvent[] {
    return this.events.filter((e) => e.uuid === uuid && (name === undefined || e.name === name));
  }

  /** The inbound caller leg with this caller number (numbers are unique per scenario). */
  callerLeg(number: string): string | undefined {
    return this.events.find((e) => e.name === 'CHANNEL_CREATE' && e.direction === 'inbound' && e.callerNumber === number)?.uuid;
  }

  /** Outbound legs the service created for a call (agent offers, transfer targets), in creation order. */
  legsOf(callId: string, role?: string): TapEvent[] {
    return this.events.filter(
      (e) => e.name === 'CHANNEL_CREATE' && e.direction === 'outbound' && e.get('variable_hotline_call_id') === callId && (role === undefined || e.get('variable_hotline_leg_role') === role),
    );
  }

  /** Files played to a leg, in order (PLAYBACK_START). */
  played(uuid: string): string[] {
    return this.of(uuid, 'PLAYBACK_START').map((e) => e.get('Playback-File-Path') ?? '');
  }
}
