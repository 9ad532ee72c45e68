// Bookkeeping of `route`'s events under observation: each caller_queued / agent_ready event from
// its arrival until a routing pass decided it (originate sent: a latency sample) or ended without it.
import type { ClaimPort } from '../../../server/src/acd/ports.ts';
import type { ClaimStore } from '../../../server/src/store/claim-store.ts';
import type { RequestCounter } from './redis.ts';

export type Kind = 'caller_queued' | 'agent_ready';
export type PhaseName = 'warmup' | 'steady_a' | 'burst_a' | 'steady_b' | 'burst_b';

/** One event under observation: from its arrival until its routing pass decided it or ended without it. */
export interface Ev {
  readonly id: string;
  readonly kind: Kind;
  readonly phase: PhaseName;
  readonly tStart: bigint;
  tNotify: bigint;
  notifySeq: number;
  readonly reqAtStart: number;
  readonly awaiting: Set<string>;
  claimed: boolean;
  done: boolean;
}

export interface Sample {
  readonly kind: Kind;
  readonly phase: PhaseName;
  readonly ms: number;
  readonly routerMs: number;
  readonly requests: number;
}

const bump = (o: Record<string, number>, k: string): void => {
  o[k] = (o[k] ?? 0) + 1;
};

export class DecisionTracker {
  /** The phase running now: events and claim timings are filed under it. */
  phase: PhaseName = 'warmup';
  private claimSeq = 0;
  readonly pendingCallers = new Map<string, Ev>();
  readonly pendingAgents = new Map<string, Ev>();
  private readonly awaitingByQueue = new Map<string, Set<Ev>>();
  readonly samples: Sample[] = [];
  /** `${phase}:${kind}` -> events whose routing passes all ended without deciding them. */
  readonly noDecision: Record<string, number> = {};
  /** phase -> originates that no event under observation accounts for. */
  readonly unattributed: Record<string, number> = {};
  readonly errors: string[] = [];
  /** Round trips of the claim script (µs), with a claim and with nothing to claim. */
  readonly claimUs = { hit: [] as number[], miss: [] as number[] };

  constructor(private readonly counter: RequestCounter) {}

  /** A new event under observation, arriving now. */
  start(id: string, kind: Kind): Ev {
    return { id, kind, phase: this.phase, tStart: process.hrtime.bigint(), tNotify: 0n, notifySeq: 0, reqAtStart: this.counter.requests, awaiting: new Set(), claimed: false, done: false };
  }

  /** Forget the warm-up's figures (the unattributed count is kept per phase anyway). */
  resetAfterWarmup(): void {
    this.samples.length = 0;
    this.claimUs.hit.length = this.claimUs.miss.length = 0;
    for (const k of Object.keys(this.noDecision)) delete this.noDecision[k];
  }

  /** Some event still has a claim on its way to originate. */
  offersInFlight(): boolean {
    return [...this.pendingCallers.values(), ...this.pendingAgents.values()].some((e) => e.claimed && !e.done);
  }

  finish(ev: Ev, map: Map<string, Ev>, id: string): void {
    ev.done = true;
    if (map.get(id) === ev) map.delete(id);
  }

  /** The event has reached the router for these queues: from now, a pass over them may decide it. */
  notify(ev: Ev, queueNames: readonly string[]): void {
    ev.tNotify = process.hrtime.bigint();
    ev.notifySeq = this.claimSeq;
    for (const q of queueNames) {
      ev.awaiting.add(q);
      let set = this.awaitingByQueue.get(q);
      if (!set) this.awaitingByQueue.set(q, (set = new Set()));
      set.add(ev);
    }
  }

  /** A claim that started after an event's notification found nothing: that event decided nothing in this queue. */
  private passEnded(queue: string, seq: number): void {
    const set = this.awaitingByQueue.get(queue);
    if (!set) return;
    for (const ev of set) {
      if (ev.notifySeq >= seq) continue;
      set.delete(ev);
      ev.awaiting.delete(queue);
      if (ev.awaiting.size || ev.done || ev.claimed) continue;
      bump(this.noDecision, `${ev.phase}:${ev.kind}`);
      this.finish(ev, ev.kind === 'caller_queued' ? this.pendingCallers : this.pendingAgents, ev.id);
    }
  }

  /** The router's ClaimPort: the real ClaimStore, timed and watched. */
  claims(claimStore: ClaimStore): ClaimPort {
    return {
      claim: async (scopes, nowMs) => {
        const seq = ++this.claimSeq;
        const t = process.hrtime.bigint();
        const c = await claimStore.claim(scopes, nowMs);
        const us = Number(process.hrtime.bigint() - t) / 1000;
        if (this.phase !== 'warmup') (c ? this.claimUs.hit : this.claimUs.miss).push(us);
        if (c) {
          const a = this.pendingCallers.get(c.callId);
          if (a) a.claimed = true;
          const b = this.pendingAgents.get(c.agentId);
          if (b) b.claimed = true;
        } else for (const s of scopes) this.passEnded(s.queue, seq);
        return c;
      },
      requeue: (callId) => claimStore.requeue(callId),
    };
  }

  /** Originate sent for this caller and agent: the decision of whichever event made the pair. */
  onOriginate(callId: string, agentId: string): void {
    const t = process.hrtime.bigint();
    const req = this.counter.requests;
    const cands = [this.pendingCallers.get(callId), this.pendingAgents.get(agentId)].filter((e): e is Ev => !!e && e.claimed && !e.done);
    const c = this.pendingCallers.get(callId);
    if (c) this.finish(c, this.pendingCallers, callId);
    const a = this.pendingAgents.get(agentId);
    if (a) this.finish(a, this.pendingAgents, agentId);
    if (!cands.length) return bump(this.unattributed, this.phase);
    // Both in flight: the later event is the one that made the pair possible.
    const ev = cands.reduce((x, y) => (y.tStart > x.tStart ? y : x));
    this.samples.push({ kind: ev.kind, phase: ev.phase, ms: Number(t - ev.tStart) / 1e6, routerMs: ev.tNotify ? Number(t - ev.tNotify) / 1e6 : NaN, requests: req - ev.reqAtStart });
  }

  recordError(err: unknown): void {
    if (this.errors.length < 20) this.errors.push(err instanceof Error ? err.message : String(err));
  }
}
