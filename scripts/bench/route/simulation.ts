// `route`'s service around the real Router: agents wired as acd-control wires them, the fake
// switch, callers arriving (QueueStore.enqueue then router.onQueued, as call intake does), agents
// coming back to ready, the once-a-second ACD tick, and the pacing primitives of the load.
import type { Logger } from 'pino';
import type { AgentCommand, AgentProfile, AgentRecord } from '../../../server/src/acd/agent-state.ts';
import type { AgentPort } from '../../../server/src/acd/ports.ts';
import { skillOf } from '../../../server/src/acd/queue-config.ts';
import { Router } from '../../../server/src/acd/router.ts';
import type { AgentStore } from '../../../server/src/store/agent-store.ts';
import type { ClaimStore } from '../../../server/src/store/claim-store.ts';
import type { QueueStore } from '../../../server/src/store/queue-store.ts';
import { sleep } from '../util.ts';
import type { DecisionTracker, Ev } from './decisions.ts';
import { fakeSwitch } from './fake-switch.ts';
import type { Workload } from './workload.ts';

export interface SimulationDeps {
  workload: Workload;
  rnd: () => number;
  tracker: DecisionTracker;
  agents: AgentStore;
  queueStore: QueueStore;
  claimStore: ClaimStore;
  logger: Logger;
}

export class Simulation {
  /** A: callers arrive, agents return to ready by themselves; B: agents wait in `pool` for the pacer; stop: no more transitions. */
  mode: 'A' | 'B' | 'stop' = 'A';
  readonly router: Router;
  readonly agents: AgentStore;
  /** Agents with nothing to do: in phase B they wait here for the pacer (break or wrap-up). */
  readonly pool: { id: string; cmd: AgentCommand }[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly tracker: DecisionTracker;
  private callSeq = 0;

  constructor(private readonly d: SimulationDeps) {
    this.tracker = d.tracker;
    this.agents = d.agents;
    const sw = fakeSwitch({
      onOriginate: (callId, agentId) => this.tracker.onOriginate(callId, agentId),
      later: (ms, fn) => this.later(ms, fn),
      uniform: (a, b) => this.uniform(a, b),
      endCall: (agentId, callId) => void this.endCall(agentId, callId, 0),
    });
    // Agents as acd-control wires them (refusals are not errors there either).
    const agentPort: AgentPort = {
      connect: (id, callId) => this.transition(id, { type: 'connect', callId }),
      ringNoAnswer: (id, callId) => this.transition(id, { type: 'ringNoAnswer', callId }),
      phoneFailure: (id, callId) => this.transition(id, { type: 'phoneFailure', callId }),
      cancelReservation: async (id, callId) => {
        const ok = await this.transition(id, { type: 'cancelReservation', callId });
        if (ok) void this.agentBecameReady(id);
        return ok;
      },
      endCall: async (id, callId) => (await this.agents.apply(id, { type: 'endCall', callId }, 'acd').catch(() => undefined))?.agent,
    };
    this.router = new Router({
      queues: d.workload.queues,
      claims: d.tracker.claims(d.claimStore),
      waiting: d.queueStore,
      agents: agentPort,
      sw,
      callFacts: () => ({ callerNumber: '13800138000', line: '12345' }),
      now: Date.now,
      logger: d.logger,
      ringNoAnswerSec: 20,
    });
  }

  uniform(a: number, b: number): number {
    return a + (b - a) * this.d.rnd();
  }

  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Agents created and logged in (ready), 20 at a time. */
  async createAgents(profiles: readonly AgentProfile[]): Promise<void> {
    for (let i = 0; i < profiles.length; i += 20)
      await Promise.all(
        profiles.slice(i, i + 20).map(async (p) => {
          await this.agents.create(p);
          await this.agents.apply(p.id, { type: 'login' }, 'agent');
        }),
      );
  }

  async transition(agentId: string, command: AgentCommand): Promise<boolean> {
    try {
      await this.agents.apply(agentId, command, 'acd');
      return true;
    } catch {
      return false;
    }
  }

  /**
   * acd-control's agentBecameReady: route the agent's skills' queues if it is ready, as the record
   * its own write returned says (the softphone's "ready"), or else as a read says.
   */
  async agentBecameReady(agentId: string, ev?: Ev, known?: AgentRecord): Promise<void> {
    const a = known ?? (await this.agents.get(agentId));
    if (!a || a.state !== 'ready') return;
    const skills = Object.keys(a.skills);
    if (ev) this.tracker.notify(ev, this.d.workload.queues.filter((q) => skills.includes(skillOf(q))).map((q) => q.name));
    this.router.onAgentReady(skills);
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch((err: unknown) => this.tracker.recordError(err));
    this.inFlight.add(q);
    void q.finally(() => this.inFlight.delete(q));
  }

  /** A caller is queued (observed unless `observe: false`; `t0Us` backdates the wait). */
  callerArrives(opts: { t0Us?: number; observe?: boolean } = {}): void {
    const q = this.d.workload.pickQueue();
    const priority = this.d.workload.pickPriority();
    const callId = `c${++this.callSeq}`;
    const ev: Ev | undefined = opts.observe === false ? undefined : this.tracker.start(callId, 'caller_queued');
    if (ev) this.tracker.pendingCallers.set(callId, ev);
    this.track(
      (async () => {
        await this.d.queueStore.enqueue({ callId, queue: q.name, priority, t0Us: opts.t0Us ?? Date.now() * 1000, node: 'fs1', line: '12345' });
        if (ev) this.tracker.notify(ev, [q.name]);
        this.router.onQueued(q.name);
      })(),
    );
  }

  /** An agent presses "ready" (`cmd`: ready after a break, or endWrapUp). */
  agentReady(id: string, cmd: AgentCommand): void {
    const ev = this.tracker.start(id, 'agent_ready');
    const pending = this.tracker.pendingAgents;
    pending.set(id, ev);
    this.track(
      (async () => {
        let agent: AgentRecord;
        try {
          ({ agent } = await this.agents.apply(id, cmd, 'agent'));
        } catch (err) {
          this.tracker.finish(ev, pending, id);
          throw err;
        }
        await this.agentBecameReady(id, ev, agent);
        if (!ev.awaiting.size && !ev.done) this.tracker.finish(ev, pending, id);
      })(),
    );
  }

  /** The call ends (talk over): wrap-up; in phase A the agent is ready again after 0.5-1.5 s. */
  async endCall(agentId: string, callId: string, attempt: number): Promise<void> {
    if (this.mode === 'stop') return;
    if (!(await this.transition(agentId, { type: 'endCall', callId }))) {
      // Not on-call yet (connect still in flight): try again shortly.
      if (attempt < 20) this.later(100, () => void this.endCall(agentId, callId, attempt + 1));
      else this.tracker.recordError(`agent ${agentId} never reached on-call for ${callId}`);
      return;
    }
    const wrapEnd = (): void => {
      if (this.mode === 'A') this.agentReady(agentId, { type: 'endWrapUp' });
      else if (this.mode === 'B') this.pool.push({ id: agentId, cmd: { type: 'endWrapUp' } });
    };
    if (this.mode === 'A') this.later(this.uniform(500, 1500), wrapEnd);
    else wrapEnd();
  }

  /** Fire `n` events at Poisson times over about `seconds`, each by `fire()`; resolves after the last. */
  async poisson(perSecond: number, seconds: number, fire: () => void, maxEvents = Infinity): Promise<number> {
    const start = performance.now();
    let due = 0;
    let n = 0;
    for (;;) {
      due += (-Math.log(1 - this.d.rnd()) / perSecond) * 1000;
      if (due > seconds * 1000 || n >= maxEvents) break;
      const wait = start + due - performance.now();
      if (wait > 1) await sleep(wait);
      fire();
      n++;
    }
    const rest = start + seconds * 1000 - performance.now();
    if (rest > 0) await sleep(rest);
    return n;
  }

  /** Waits (up to 2 s) for events still in their routing pass, and claims' offers up to originate. */
  async settle(): Promise<void> {
    for (let i = 0; i < 100 && (this.inFlight.size || this.tracker.offersInFlight()); i++) await sleep(20);
  }

  /**
   * The ACD's once-a-second review, minus what needs calls on a switch (announcements, overflow);
   * each run's duration goes to `tickMs`. Returns the stop function.
   */
  startTick(enabled: boolean, tickMs: number[]): () => Promise<void> {
    let reviewing = false;
    const tickTimer = setInterval(() => {
      if (!enabled || reviewing || this.mode === 'stop') return;
      reviewing = true;
      void (async () => {
        const t = performance.now();
        try {
          for (const a of await this.agents.expireWrapUps(Date.now())) void this.agentBecameReady(a.id, undefined, a);
          this.router.routeAll();
        } finally {
          tickMs.push(performance.now() - t);
          reviewing = false;
        }
      })();
    }, 1000);
    return async () => clearInterval(tickTimer);
  }
}
