// What the switch itself saw of each call, from an inbound ESL connection of the bench's own
// (the service's ESL client, subscribed to four event types only): the caller legs (inbound, to
// 12345), the end of their welcome prompt, the agent legs (outbound) and which caller each was
// bridged to. The same definitions on both sides, so mod_callcenter and the service are timed alike,
// on the switch's own clock (Event-Date-Timestamp, µs).
import { InboundNode } from '../../../server/src/freeswitch/inbound-node.ts';
import type { RawEvent } from '../../../server/src/freeswitch/event-map.ts';
import { createLogger } from '../../../server/src/log.ts';
import { sleep } from '../util.ts';

export interface CallerLeg {
  createdUs: number;
  /** End of the welcome prompt: the caller joins the queue. */
  joinedUs?: number;
  bridgedUs?: number;
  agentLeg?: string;
  endedUs?: number;
  cause?: string;
}

export interface AgentLeg {
  createdUs: number;
  endedUs?: number;
  bridged: boolean;
}

const EVENTS = ['CHANNEL_CREATE', 'PLAYBACK_STOP', 'CHANNEL_BRIDGE', 'CHANNEL_HANGUP_COMPLETE'];

export class CallBook {
  readonly callers = new Map<string, CallerLeg>();
  readonly agents = new Map<string, AgentLeg>();
  /** CHANNEL_BRIDGE events naming no known caller and agent leg. */
  unmatchedBridges = 0;
  private readonly node: InboundNode;
  private ready = false;

  constructor(opts: { port: number; password: string; did: string; welcome: string }) {
    this.node = new InboundNode(
      {
        name: 'bench-tap', host: '127.0.0.1', port: opts.port, password: opts.password, commandTimeoutMs: 10_000,
        reconnect: { initialMs: 100, maxMs: 1000, jitter: 0 }, events: EVENTS, logger: createLogger({ level: 'silent' }),
      },
      {
        onEvent: (ev) => this.onEvent(ev, opts),
        onConnected: () => void (this.ready = true),
        onDisconnected: () => void (this.ready = false),
      },
    );
  }

  private onEvent(ev: RawEvent, opts: { did: string; welcome: string }): void {
    const uuid = ev.get('Unique-ID') ?? '';
    const ts = Number(ev.get('Event-Date-Timestamp') ?? 0);
    switch (ev.get('Event-Name')) {
      case 'CHANNEL_CREATE':
        if (ev.get('Call-Direction') === 'inbound') {
          if (ev.get('Caller-Destination-Number') === opts.did) this.callers.set(uuid, { createdUs: ts });
        } else this.agents.set(uuid, { createdUs: ts, bridged: false });
        break;
      case 'PLAYBACK_STOP': {
        const c = this.callers.get(uuid);
        if (c && c.joinedUs === undefined && (ev.get('Playback-File-Path') ?? '').includes(opts.welcome)) c.joinedUs = ts;
        break;
      }
      case 'CHANNEL_BRIDGE': {
        // uuid_bridge raises it on the A leg only; either leg may be A. Bridge-A/B name both.
        const ids = [ev.get('Bridge-A-Unique-ID'), ev.get('Bridge-B-Unique-ID'), uuid, ev.get('Other-Leg-Unique-ID')].filter((x): x is string => !!x);
        const caller = ids.find((id) => this.callers.has(id));
        const agent = ids.find((id) => this.agents.has(id));
        if (!caller || !agent) {
          this.unmatchedBridges++;
          break;
        }
        const c = this.callers.get(caller)!;
        if (c.bridgedUs === undefined) {
          c.bridgedUs = ts;
          c.agentLeg = agent;
        }
        this.agents.get(agent)!.bridged = true;
        break;
      }
      case 'CHANNEL_HANGUP_COMPLETE': {
        const c = this.callers.get(uuid);
        if (c && c.endedUs === undefined) {
          c.endedUs = ts;
          c.cause = ev.get('Hangup-Cause') ?? '?';
        }
        const a = this.agents.get(uuid);
        if (a && a.endedUs === undefined) a.endedUs = ts;
        break;
      }
    }
  }

  async start(): Promise<void> {
    this.node.start();
    for (const deadline = Date.now() + 10_000; !this.ready; await sleep(20)) if (Date.now() > deadline) throw new Error('call book: no ESL connection to the switch');
  }

  api(cmd: string): Promise<string> {
    return this.node.api(cmd);
  }

  /** Caller and agent legs still up (as this book saw them). */
  live(): { callers: number; agents: number } {
    let callers = 0;
    let agents = 0;
    for (const c of this.callers.values()) if (c.endedUs === undefined) callers++;
    for (const a of this.agents.values()) if (a.endedUs === undefined) agents++;
    return { callers, agents };
  }

  stop(): void {
    this.node.stop();
  }
}
