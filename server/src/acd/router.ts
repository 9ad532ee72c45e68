// Event-driven routing: when a caller is queued or an agent becomes ready, claim (caller, agent)
// pairs atomically across the queues one skill serves (highest priority class first, then the
// oldest t0, whatever queue the caller waits in) and offer each call: originate the agent's phone, bridge on answer. Ring-no-
// answer sets that agent not-ready and puts the caller back at the head of its class; a caller who
// hangs up while the agent rings cancels the agent leg. A 1-second tick widens skill tiers as
// callers wait, overflows callers past their queue's maximum wait and announces positions.
//
// Failures must not turn into a storm: while the switch connection is down nothing is claimed (the
// wiring calls routeAll() once it is back and resynced); an offer the switch failed pauses routing
// with a growing delay; an agent whose phone fails `phoneFailureLimit` offers in a row is set
// not-ready (phone-failure) with an alert; repeated failures are logged once per interval.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { LogThrottle } from '../log-throttle.ts';
import type { SwitchEvent } from '../calls/switch-events.ts';
import type { Claim, ClaimScope } from '../store/claim-store.ts';
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
  /** False while no switch connection is up and resynced: nothing is offered. Default: always up. */
  readonly switchUp?: () => boolean;
  /** Throws (with the reason) for a phone the site does not allow; checked before each offer. */
  readonly checkPhone?: (phone: string) => void;
  /** Failed offers in a row (not ring-no-answer) before an agent is set not-ready. Default 3. */
  readonly phoneFailureLimit?: number;
  /** Pause after the n-th offer in a row the switch failed (n >= 1), ms. Default 0.5 s doubling to 30 s. */
  readonly retryDelayMs?: (failures: number) => number;
  /** Failed offers and phones taken out of rotation (metrics). */
  readonly observer?: RouterObserver;
  /**
   * Around the bridge of a caller to its agent (the survey is armed before, the recording starts
   * after). A failure there is logged: the caller is connected all the same.
   */
  readonly bridgeHooks?: { before(callId: string): Promise<void>; after(callId: string): Promise<void> };
}

export interface RouterObserver {
  offerFailed(kind: 'switch' | 'phone' | 'ring-no-answer'): void;
  phoneFailureAlert(agentId: string): void;
  /** An agent freed while a caller waited was offered that caller this long after (seconds). */
  freeToOffer?(seconds: number): void;
}

interface Offer {
  readonly claim: Claim;
  readonly queue: string;
  readonly agentLeg: string;
  cancelled: boolean;
  /** The agent's phone answered: a failure from here on (bridge, store) is not the phone's. */
  answered: boolean;
  /** The phone passed the site's policy: a refused originate is then about the call's own data. */
  phoneChecked: boolean;
}

/** Originate failures that are the agent's phone's doing: the agent goes not-ready. */
const AGENT_FAULTS = /NO_ANSWER|USER_BUSY|CALL_REJECTED|USER_NOT_REGISTERED|NO_USER_RESPONSE|SUBSCRIBER_ABSENT|RECOVERY_ON_TIMER_EXPIRE/;
/**
 * Failures of the connection to the switch, not of the phone (errors.ts class names): the command
 * never got an answer. Anything else (a -ERR cause, a refused dial string) is the phone's.
 */
const SWITCH_FAULTS = new Set(['FreeSwitchDisconnected', 'FreeSwitchTimeout']);
/** The switch answered a command with -ERR: it works, it said no. */
const SWITCH_REFUSED = 'FreeSwitchCommandError';
/** A leg left up by a failed offer is killed once the switch connection is back: tried for ~30 s. */
const KILL_ATTEMPTS = 60;
const KILL_RETRY_MS = 500;
/** At most this many claims of one routing pass in flight at once (route()). */
export const CLAIM_WINDOW = 8;

const defaultRetryDelay = (n: number): number => Math.min(30_000, 500 * 2 ** Math.max(0, n - 1));

export class Router {
  private readonly offersByCall = new Map<string, Offer>();
  /** The routing pass running per skill, and the skills asked for again during their pass. */
  private readonly routing = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  /**
   * What a claim looks at: every queue served by one skill (from110, elder and general all share
   * `general`), so priority holds across those queues. Passes of different skills run side by
   * side: one pass over all queues was measured 100x slower on 50 queues (bench route).
   */
  private readonly scopesBySkill = new Map<string, ClaimScope[]>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly byName: Map<string, QueueConfig>;
  private readonly log: Logger;
  private readonly throttle: LogThrottle;
  /** Offers in a row the switch failed; routing waits until pausedUntil (wall clock, ms). */
  private switchFailures = 0;
  private pausedUntil = 0;
  private resumeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Failed offers in a row per agent (this instance's view). */
  private readonly phoneFailures = new Map<string, number>();
  /** When each agent last became free (this clock, ms) and when the switch says it did (µs). */
  private readonly freedAt = new Map<string, { atMs: number; tsUs: number }>();
  /** Counts of this instance's offers and how they ended (metrics, tests). */
  readonly stats = { offers: 0, connected: 0, ringNoAnswer: 0, cancelled: 0, failed: 0, phoneFailures: 0 };

  constructor(private readonly deps: RouterDeps) {
    this.byName = new Map(deps.queues.map((q) => [q.name, q]));
    for (const q of deps.queues) {
      const skill = skillOf(q);
      const list = this.scopesBySkill.get(skill) ?? [];
      list.push({ queue: q.name, skill, tiers: q.tiers.map((t) => [t.afterSec, t.minLevel] as const) });
      this.scopesBySkill.set(skill, list);
    }
    this.log = deps.logger.child({ component: 'acd' });
    this.throttle = new LogThrottle(this.log, { now: deps.now });
  }

  /** Whether offers may be made now: the switch is up and no failure pause is running. */
  get mayOffer(): boolean {
    if (this.deps.switchUp && !this.deps.switchUp()) return false;
    const wait = this.pausedUntil - this.deps.now();
    if (wait <= 0) return true;
    // Whatever was asked for during the pause is routed when it ends.
    this.resumeTimer ??= setTimeout(() => {
      this.resumeTimer = undefined;
      this.routeAll();
    }, wait).unref();
    return false;
  }

  queue(name: string): QueueConfig | undefined {
    return this.byName.get(name);
  }

  /** Offers this instance has in flight (agent ringing). */
  get offering(): number {
    return this.offersByCall.size;
  }

  /** A caller was queued: route every queue its queue's skill serves. */
  onQueued(queue: string): void {
    const q = this.byName.get(queue);
    if (q) this.kick(skillOf(q));
  }

  /**
   * The agent became free to take a call at `atMs` (now()'s clock: its leg's hang-up reached us
   * with no wrap-up to follow, or its wrap-up ended). Its next offer is timed against this if a
   * caller was already waiting then (t0 before `tsUs`, both the switch's clock): an agent freed
   * into an empty queue waits for callers, which is not routing time.
   */
  agentFreed(agentId: string, atMs: number, tsUs: number): void {
    this.freedAt.set(agentId, { atMs, tsUs });
  }

  onAgentReady(skills: readonly string[]): void {
    for (const s of skills) if (this.scopesBySkill.has(s)) this.kick(s);
  }

  /** Route every skill (tier widening happens as time passes: the tick calls this). */
  routeAll(): void {
    for (const s of this.scopesBySkill.keys()) this.kick(s);
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

  /** Stop the pause timer (shutdown). */
  stop(): void {
    clearTimeout(this.resumeTimer);
    this.resumeTimer = undefined;
  }

  /** One routing pass per skill at a time; a request during a pass runs another pass after it. */
  private kick(skill: string): void {
    if (!this.mayOffer) return;
    if (this.routing.has(skill)) {
      this.again.add(skill);
      return;
    }
    const pass = this.route(skill)
      .catch((err: unknown) => this.log.error({ err, skill }, 'routing pass failed'))
      .finally(() => {
        this.routing.delete(skill);
        if (this.again.delete(skill)) this.kick(skill);
      });
    this.routing.set(skill, pass);
  }

  /**
   * Claims until none is left. One claim at a time made a burst of freed agents (the switch's
   * hang-ups arrive in bunches) wait one store round trip each, the last of 50 about 50 of them.
   * From the second pair a pass finds on, each claim that finds one starts one more claimer, up to
   * CLAIM_WINDOW side by side. The claims stay atomic and run in the store in the order sent, so
   * the order of offers is the same. The usual pass (one pair, then nothing) still costs two claims:
   * starting a second claimer at the first pair cost a third, and the route bench's p99 showed it.
   */
  private async route(skill: string): Promise<void> {
    const scopes = this.scopesBySkill.get(skill);
    if (!scopes) return;
    const claimers: Promise<void>[] = [];
    let found = 0;
    let exhausted = false;
    let failure: unknown;
    const claimer = async (): Promise<void> => {
      // Checked before every claim: the switch may go down, or an offer fail, during a pass.
      while (!exhausted && this.mayOffer) {
        const claim = await this.deps.claims.claim(scopes, this.deps.now());
        if (!claim) {
          exhausted = true;
          return;
        }
        if (++found >= 2 && claimers.length < CLAIM_WINDOW) start();
        const p: Promise<void> = this.offer(claim.queue, claim).finally(() => this.inflight.delete(p));
        this.inflight.add(p);
      }
    };
    const start = (): void => {
      claimers.push(
        claimer().catch((err: unknown) => {
          failure ??= err;
          exhausted = true;
        }),
      );
    };
    start();
    for (let i = 0; i < claimers.length; i++) await claimers[i];
    if (failure !== undefined) throw failure;
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
      this.onQueued(queue);
      return;
    }
    const offer: Offer = { claim, queue, agentLeg: randomUUID(), cancelled: false, answered: false, phoneChecked: false };
    const { callId, agentId } = claim;
    const log = this.log.child({ callId, agentId, queue });
    this.offersByCall.set(callId, offer);
    this.stats.offers++;
    const facts = this.deps.callFacts(callId);
    try {
      if (this.deps.checkPhone) {
        this.deps.checkPhone(claim.phone);
        offer.phoneChecked = true;
      }
      this.timeFreeToOffer(claim);
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
      offer.answered = true;
      if (offer.cancelled) {
        // Answered just as the caller left.
        await this.deps.sw.kill(offer.agentLeg, 'ORIGINATOR_CANCEL').catch(() => {});
        await this.deps.agents.cancelReservation(agentId, callId);
        return;
      }
      await this.deps.bridgeHooks?.before(callId).catch((err: unknown) => log.warn({ err }, 'survey not armed'));
      await this.bridge(callId, offer.agentLeg);
      await this.deps.agents.connect(agentId, callId);
      await this.deps.waiting.remove(callId);
      // After the agent's state: the recording's start must not hold the agent's on-call back.
      await this.deps.bridgeHooks?.after(callId).catch((err: unknown) => log.warn({ err }, 'recording not started'));
      this.stats.connected++;
      this.switchFailures = 0;
      this.phoneFailures.delete(agentId);
      log.info('call connected to agent');
    } catch (err) {
      await this.offerFailed(offer, err as Error, log);
      this.onQueued(queue);
    } finally {
      this.offersByCall.delete(callId);
    }
  }

  private timeFreeToOffer(claim: Claim): void {
    const freed = this.freedAt.get(claim.agentId);
    if (!freed) return;
    this.freedAt.delete(claim.agentId);
    if (claim.t0Us <= freed.tsUs) this.deps.observer?.freeToOffer?.((this.deps.now() - freed.atMs) / 1000);
  }

  /**
   * Kill a leg we may have left up. Cut off from the switch (the offer failed on a dropped
   * connection), the kill is retried until the connection is back: the switch may well have
   * created the leg before the drop, and the agent's phone would ring or talk to nobody (bench
   * faults, esl-drop: the caller was then given to a second agent).
   */
  private async killLeg(uuid: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.sw.kill(uuid);
      } catch (err) {
        if ((err as Error).name !== 'FreeSwitchDisconnected' || attempt >= KILL_ATTEMPTS) return;
        await new Promise((r) => setTimeout(r, KILL_RETRY_MS));
      }
    }
  }

  /** An offer that did not connect: whose fault it was decides what happens to agent and caller. */
  private async offerFailed(offer: Offer, err: Error, log: Logger): Promise<void> {
    const { callId, agentId } = offer.claim;
    const reason = err.message;
    if (offer.cancelled) {
      this.stats.cancelled++;
      log.info('caller hung up while the agent was ringing');
      await this.deps.agents.cancelReservation(agentId, callId);
      return;
    }
    if (err.name === 'InvalidCommandArgument' && offer.phoneChecked && !offer.answered) {
      // The switch boundary refused something of the call itself (its id, a variable): no offer of
      // it can ever succeed, so it leaves the queue instead of blocking its head (as a `'` in a
      // caller id once did).
      this.stats.failed++;
      log.error({ err }, 'offer refused at the switch boundary: the call cannot be offered; removed from the queue');
      await this.deps.agents.cancelReservation(agentId, callId);
      await this.deps.waiting.remove(callId);
      return;
    }
    if (AGENT_FAULTS.test(reason) && !offer.answered) {
      // The phone rang (or is known and away): the switch works.
      this.stats.ringNoAnswer++;
      this.switchFailures = 0;
      this.deps.observer?.offerFailed('ring-no-answer');
      log.warn({ reason }, 'ring-no-answer: agent set not-ready, caller back at the head of its class');
      await this.deps.agents.ringNoAnswer(agentId, callId);
    } else if (offer.answered && err.name === SWITCH_REFUSED) {
      // The switch refused the bridge (-ERR Invalid uuid): one of the legs is gone, mostly a
      // caller who hung up as the agent answered. The switch works, so routing goes on: pausing
      // here made each abandon at that moment stop every offer for 0.5 s, doubling to 30 s while
      // it repeated, and at 20 calls/s on the real switch the waits that caused grew more
      // abandons (bench load-freeswitch: callers queued 20 s with agents idle).
      this.stats.failed++;
      this.throttle.warn('offer-failed:bridge', { err, callId, agentId }, 'bridge refused after the agent answered (a leg left): agent freed');
      await this.killLeg(offer.agentLeg);
      await this.deps.agents.cancelReservation(agentId, callId);
    } else if (SWITCH_FAULTS.has(err.name) || offer.answered) {
      // The switch did not answer, or the phone answered and the bridge (or a store write) failed:
      // the agent stays available, routing pauses and backs off.
      this.stats.failed++;
      this.switchFailures++;
      const delay = (this.deps.retryDelayMs ?? defaultRetryDelay)(this.switchFailures);
      this.pausedUntil = this.deps.now() + delay;
      this.deps.observer?.offerFailed('switch');
      this.throttle.error('offer-failed:switch', { err, callId, agentId, pauseMs: delay, failuresInARow: this.switchFailures }, 'offer failed on the switch side; routing pauses');
      // The agent's leg may be up (answered, or a timed-out originate still ringing): never leave it.
      // The agent stays reserved until it is gone, or its phone could ring twice.
      await this.killLeg(offer.agentLeg);
      await this.deps.agents.cancelReservation(agentId, callId);
    } else {
      // The phone (or its dial string) failed: counted per agent; enough in a row take it out.
      this.stats.phoneFailures++;
      this.deps.observer?.offerFailed('phone');
      const n = (this.phoneFailures.get(agentId) ?? 0) + 1;
      const limit = this.deps.phoneFailureLimit ?? 3;
      this.throttle.warn(`offer-failed:phone:${agentId}`, { err, callId, agentId, failuresInARow: n }, 'offer failed: the agent\'s phone did not ring');
      this.pausedUntil = Math.max(this.pausedUntil, this.deps.now() + (this.deps.retryDelayMs ?? defaultRetryDelay)(1));
      if (n >= limit) {
        this.phoneFailures.delete(agentId);
        this.deps.observer?.phoneFailureAlert(agentId);
        log.error({ reason, failuresInARow: n }, 'ALERT agent phone failing: agent set not-ready (phone-failure)');
        await this.deps.agents.phoneFailure(agentId, callId);
      } else {
        this.phoneFailures.set(agentId, n);
        await this.deps.agents.cancelReservation(agentId, callId);
      }
    }
    await this.requeueIfLive(callId);
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
      // A -ERR is the switch's own answer: nothing was bridged, nothing to wait for.
      if ((err as Error).name === SWITCH_REFUSED) throw err;
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
