// Event-driven routing: when a caller is queued or an agent becomes ready, claim (caller, agent)
// pairs atomically and offer each call: originate the agent's phone, bridge on answer. Ring-no-
// answer sets that agent not-ready and puts the caller back at the head of its class; a caller who
// hangs up while the agent rings cancels the agent leg. A 1-second tick widens skill tiers as
// callers wait, overflows callers past their queue's maximum wait and announces positions.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { SwitchEvent } from '../calls/switch-events.ts';
import type { Claim } from '../store/claim-store.ts';
import type { AgentPort, CallFacts, ClaimPort, SwitchPort, WaitingPort } from './ports.ts';
import { skillOf, type QueueConfig } from './queue-config.ts';
import { runCallback, type CallbackDeps } from './callback.ts';

export interface RouterDeps {
  readonly queues: readonly QueueConfig[];
  readonly claims: ClaimPort;
  readonly waiting: WaitingPort;
  readonly agents: AgentPort;
  readonly sw: SwitchPort;
  readonly callFacts: (callId: string) => CallFacts | undefined;
  /** Whether the switch reported the agent leg bridged to the caller (registry). */
  readonly isBridged?: (callId: string, agentLeg: string) => boolean;
  /** Wall clock, ms: tier widening compares it with t0 (switch µs); both are NTP time. */
  readonly now: () => number;
  readonly logger: Logger;
  readonly ringNoAnswerSec: number;
  /** Callback-specific wiring (numbers and store operations); without it callbacks are not offered. */
  readonly callback?: Omit<CallbackDeps, 'sw' | 'agents' | 'logger' | 'ringNoAnswerSec'>;
  /** The claim reserved this agent inside Redis (Lua), past the agent store: publish its new state. */
  readonly onReserved?: (agentId: string) => void;
}

interface Offer {
  readonly claim: Claim;
  readonly queue: string;
  readonly agentLeg: string;
  cancelled: boolean;
}

/** Originate failures that are the agent's phone's doing: the agent goes not-ready. */
const AGENT_FAULTS = /NO_ANSWER|USER_BUSY|CALL_REJECTED|USER_NOT_REGISTERED|NO_USER_RESPONSE|SUBSCRIBER_ABSENT|RECOVERY_ON_TIMER_EXPIRE/;

export class Router {
  private readonly offersByCall = new Map<string, Offer>();
  private readonly routing = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly byName: Map<string, QueueConfig>;
  private readonly log: Logger;
  /** Counts of this instance's offers and how they ended (metrics, tests). */
  readonly stats = { offers: 0, connected: 0, ringNoAnswer: 0, cancelled: 0, failed: 0 };

  constructor(private readonly deps: RouterDeps) {
    this.byName = new Map(deps.queues.map((q) => [q.name, q]));
    this.log = deps.logger.child({ component: 'acd' });
  }

  queue(name: string): QueueConfig | undefined {
    return this.byName.get(name);
  }

  /** Offers this instance has in flight (agent ringing). */
  get offering(): number {
    return this.offersByCall.size;
  }

  onQueued(queue: string): void {
    this.kick(queue);
  }

  onAgentReady(skills: readonly string[]): void {
    for (const q of this.deps.queues) if (skills.includes(skillOf(q))) this.kick(q.name);
  }

  /** Route every queue (tier widening happens as time passes: the tick calls this). */
  routeAll(): void {
    for (const q of this.deps.queues) this.kick(q.name);
  }

  onSwitchEvent(ev: SwitchEvent): void {
    if (ev.type !== 'channel-hangup' && ev.type !== 'channel-hangup-complete') return;
    const offer = this.offersByCall.get(ev.uuid);
    if (offer && !offer.cancelled) {
      // The caller gave up while the agent's phone rang: stop the ringing.
      offer.cancelled = true;
      this.deps.sw.kill(offer.agentLeg, 'ORIGINATOR_CANCEL').catch(() => {});
    }
  }

  /** Resolves when every routing pass and offer in flight on this instance has settled (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.routing.size || this.inflight.size) await Promise.all([...this.routing.values(), ...this.inflight]);
  }

  /** One routing pass per queue at a time; a request during a pass runs another pass after it. */
  private kick(queue: string): void {
    if (this.routing.has(queue)) {
      this.again.add(queue);
      return;
    }
    const pass = this.route(queue)
      .catch((err: unknown) => this.log.error({ err, queue }, 'routing pass failed'))
      .finally(() => {
        this.routing.delete(queue);
        if (this.again.delete(queue)) this.kick(queue);
      });
    this.routing.set(queue, pass);
  }

  private async route(queue: string): Promise<void> {
    const q = this.byName.get(queue);
    if (!q) return;
    const tiers = q.tiers.map((t) => [t.afterSec, t.minLevel] as const);
    for (;;) {
      const claim = await this.deps.claims.claim(queue, skillOf(q), this.deps.now(), tiers);
      if (!claim) return;
      const p: Promise<void> = this.offer(queue, claim).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }
  }

  private async offer(queue: string, claim: Claim): Promise<void> {
    this.deps.onReserved?.(claim.agentId);
    // The claim says whether this is a callback: only then is the entry read (an extra round trip).
    const entry = claim.callback ? await this.deps.waiting.get(claim.callId) : undefined;
    if (entry?.callback && this.deps.callback) {
      const result = await runCallback(
        { ...this.deps.callback, sw: this.deps.sw, agents: this.deps.agents, logger: this.deps.logger, ringNoAnswerSec: this.deps.ringNoAnswerSec },
        claim,
        { ...entry, callback: entry.callback },
        (reason) => AGENT_FAULTS.test(reason),
      ).catch((err: unknown) => {
        this.log.error({ err, callId: claim.callId }, 'callback failed');
        return 'failed' as const;
      });
      this.stats.offers++;
      if (result === 'connected') this.stats.connected++;
      this.kick(queue);
      return;
    }
    const offer: Offer = { claim, queue, agentLeg: randomUUID(), cancelled: false };
    const { callId, agentId } = claim;
    const log = this.log.child({ callId, agentId, queue });
    this.offersByCall.set(callId, offer);
    this.stats.offers++;
    const facts = this.deps.callFacts(callId);
    try {
      await this.deps.sw.originateInBackground(
        {
          dialstring: claim.phone,
          uuid: offer.agentLeg,
          timeoutSec: this.deps.ringNoAnswerSec,
          vars: {
            hotline_call_id: callId,
            hotline_leg_role: 'agent',
            hotline_agent_id: agentId,
            hotline_leg_purpose: 'offer',
            hotline_queue: queue,
            // The agent's phone matches the INVITE to the service's leg by this header (SIP.js softphone).
            'sip_h_X-Hotline-Leg': offer.agentLeg,
            ...(facts ? { origination_caller_id_number: facts.callerNumber, origination_caller_id_name: facts.line } : {}),
          },
          then: { app: 'park' },
        },
        (this.deps.ringNoAnswerSec + 5) * 1000,
      );
      if (offer.cancelled) {
        // Answered just as the caller left.
        await this.deps.sw.kill(offer.agentLeg, 'ORIGINATOR_CANCEL').catch(() => {});
        await this.deps.agents.cancelReservation(agentId, callId);
        return;
      }
      await this.bridge(callId, offer.agentLeg);
      await this.deps.agents.connect(agentId, callId);
      await this.deps.waiting.remove(callId);
      this.stats.connected++;
      log.info('call connected to agent');
    } catch (err) {
      const reason = (err as Error).message;
      if (offer.cancelled) {
        this.stats.cancelled++;
        log.info('caller hung up while the agent was ringing');
        await this.deps.agents.cancelReservation(agentId, callId);
      } else if (AGENT_FAULTS.test(reason)) {
        this.stats.ringNoAnswer++;
        log.warn({ reason }, 'ring-no-answer: agent set not-ready, caller back at the head of its class');
        await this.deps.agents.ringNoAnswer(agentId, callId);
        await this.requeueIfLive(callId);
      } else {
        // The switch or the bridge failed, not the agent: the agent stays available.
        this.stats.failed++;
        log.error({ err }, 'offer failed');
        await this.deps.sw.kill(offer.agentLeg).catch(() => {});
        await this.deps.agents.cancelReservation(agentId, callId);
        await this.requeueIfLive(callId);
      }
      this.kick(queue);
    } finally {
      this.offersByCall.delete(callId);
    }
  }

  /**
   * uuid_bridge, trusting the switch's events over the command's answer: under load the reply can
   * time out although the bridge happened, and killing a connected agent leg then would hand the
   * caller to a second agent. A failed command counts only if no CHANNEL_BRIDGE follows.
   */
  private async bridge(callId: string, agentLeg: string): Promise<void> {
    try {
      await this.deps.sw.bridge(callId, agentLeg);
    } catch (err) {
      for (let waited = 0; waited < 3000; waited += 100) {
        if (this.deps.isBridged?.(callId, agentLeg)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw err;
    }
  }

  /** A caller who left meanwhile is not put back (the call record is gone once it completed). */
  private async requeueIfLive(callId: string): Promise<void> {
    if (this.deps.callFacts(callId)) await this.deps.claims.requeue(callId);
    else await this.deps.waiting.remove(callId);
  }
}
