// What fsim saw, read from its own event stream: the test's independent record of each caller
// (t0 = the welcome prompt's completion, the agent leg's answer, the hangup) and of each agent
// phone, to check the service's routing and the rates it reports against the switch's own clock.
import type { FsEvent } from '../../../scripts/fsim/src/types.ts';
import type { Fsim } from '../../../scripts/fsim/src/fsim.ts';

export interface CallerFacts {
  uuid: string;
  createdUs: number;
  t0Us?: number;
  /** When the caller started waiting in the dialplan's waiting extension (after it was enqueued). */
  waitingUs?: number;
  answeredUs?: number;
  hangupUs?: number;
  hangupCause?: string;
  agentUser?: string;
  /** Agent legs created for this caller, in order (first offers, re-offers after ring-no-answer). */
  offers: { leg: string; user: string; createdUs: number }[];
}

export interface AgentLegFacts {
  uuid: string;
  user: string;
  callId: string;
  createdUs: number;
  answeredUs?: number;
  destroyedUs?: number;
}

const h = (ev: FsEvent, name: string): string | undefined => ev.headers.find(([k]) => k === name)?.[1];
const ts = (ev: FsEvent): number => Number(h(ev, 'Event-Date-Timestamp'));

export class FsimLog {
  readonly callers = new Map<string, CallerFacts>();
  readonly agentLegs = new Map<string, AgentLegFacts>();
  private readonly stop: () => void;

  constructor(fsim: Fsim, callerContext = 'public') {
    this.stop = fsim.sw.onEvent((ev) => {
      const uuid = ev.uuid ?? h(ev, 'Unique-ID');
      if (!uuid) return;
      if (ev.name === 'CHANNEL_CREATE') {
        const callId = h(ev, 'variable_hotline_call_id');
        if (callId && h(ev, 'variable_hotline_leg_role') === 'agent') {
          const user = (h(ev, 'Caller-Destination-Number') ?? '').replace(/^user\//, '');
          this.agentLegs.set(uuid, { uuid, user, callId, createdUs: ts(ev) });
          this.callers.get(callId)?.offers.push({ leg: uuid, user, createdUs: ts(ev) });
        } else if (h(ev, 'Caller-Context') === callerContext && h(ev, 'Call-Direction') === 'inbound') {
          this.callers.set(uuid, { uuid, createdUs: ts(ev), offers: [] });
        }
        return;
      }
      const caller = this.callers.get(uuid);
      const leg = this.agentLegs.get(uuid);
      if (caller) {
        if (ev.name === 'CHANNEL_EXECUTE_COMPLETE' && h(ev, 'Application') === 'playback' && caller.t0Us === undefined) caller.t0Us = ts(ev);
        // Waiting: the first application in hotline_wait (hold music, `playback` since it must read the callback key).
        if (ev.name === 'CHANNEL_EXECUTE' && h(ev, 'Caller-Destination-Number') === 'hotline_wait' && caller.waitingUs === undefined) caller.waitingUs = ts(ev);
        if (ev.name === 'CHANNEL_HANGUP') {
          caller.hangupUs = ts(ev);
          caller.hangupCause = h(ev, 'Hangup-Cause');
        }
      }
      if (leg) {
        if (ev.name === 'CHANNEL_ANSWER') {
          leg.answeredUs = ts(ev);
          const c = this.callers.get(leg.callId);
          if (c && c.answeredUs === undefined) {
            c.answeredUs = leg.answeredUs;
            c.agentUser = leg.user;
          }
        }
        if (ev.name === 'CHANNEL_DESTROY') leg.destroyedUs = ts(ev);
      }
    });
  }

  close(): void {
    this.stop();
  }

  /**
   * FIFO violations: X queued (waiting) before Y was first offered, with an earlier t0, yet first
   * offered after Y. Callers not yet in the queue when Y was offered are not overtaken.
   */
  fifoViolations(): [string, string][] {
    const offered = [...this.callers.values()].filter((c) => c.offers.length && c.t0Us !== undefined && c.waitingUs !== undefined);
    const out: [string, string][] = [];
    for (const x of offered)
      for (const y of offered)
        if (x.t0Us! < y.t0Us! && x.waitingUs! < y.offers[0]!.createdUs && x.offers[0]!.createdUs > y.offers[0]!.createdUs) out.push([x.uuid, y.uuid]);
    return out;
  }

  /** Largest number of agent legs one phone had at the same time. */
  maxConcurrentLegsPerAgent(): number {
    const byUser = new Map<string, [number, number][]>();
    for (const l of this.agentLegs.values()) {
      const list = byUser.get(l.user) ?? [];
      list.push([l.createdUs, l.destroyedUs ?? Number.MAX_SAFE_INTEGER]);
      byUser.set(l.user, list);
    }
    let max = 0;
    for (const spans of byUser.values()) {
      const points = spans.flatMap(([a, b]) => [[a, 1] as const, [b, -1] as const]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      let cur = 0;
      for (const [, d] of points) max = Math.max(max, (cur += d));
    }
    return max;
  }

  /**
   * ARCHITECTURE.md section 6, computed from the switch's timestamps: counted = offered - short
   * abandons; the 15-second rate = answered within the threshold / counted.
   */
  rates(thresholdSec = 15, shortAbandonSec = 5): { offered: number; counted: number; answered: number; within: number; rate15s: number } {
    let offered = 0;
    let short = 0;
    let answered = 0;
    let within = 0;
    for (const c of this.callers.values()) {
      if (c.t0Us === undefined) continue;
      offered++;
      if (c.answeredUs !== undefined) {
        answered++;
        if (c.answeredUs - c.t0Us <= thresholdSec * 1e6) within++;
      } else if (c.hangupUs !== undefined && c.hangupUs - c.t0Us <= shortAbandonSec * 1e6) short++;
    }
    const counted = offered - short;
    return { offered, counted, answered, within, rate15s: counted ? within / counted : 1 };
  }
}
