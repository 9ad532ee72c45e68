// Handoffs with partner hotlines, as a domain service: a dispatcher announces a case, the partner's
// call arrives and is matched to it (by case id, else by caller number within a window), queued in
// the partner's priority class and followed through ringing, answered and ended; the agent's
// wrap-up is its outcome, sent back to the partner. No framework here: the store, the clock, the
// switch action (returning a caller) and the notifications are injected.
import type { Logger } from 'pino';
import type { CallRecord } from '../calls/call-record.ts';
import { advances, isOpen, phaseOf, type AnnounceInput, type Handoff, type HandoffOutcome } from './handoff.ts';
import type { Partner } from './partners.ts';
import type { HandoffStore } from '../store/handoff-store.ts';
import { outTransfers } from './diversion.ts';

export class HandoffError extends Error {
  constructor(
    readonly code: 'not-found' | 'conflict' | 'invalid' | 'forbidden',
    message: string,
  ) {
    super(message);
    this.name = 'HandoffError';
  }
}

export type HandoffStorePort = Pick<HandoffStore, 'get' | 'write' | 'reserveCase' | 'byCase' | 'expectCaller' | 'takeCaller' | 'linkCall' | 'byCall' | 'list' | 'open' | 'figures' | 'count'>;

export interface HandoffSettings {
  /** How long an announced caller number matches an incoming call without a case id. */
  readonly matchWindowSec: number;
  /** Warn the dispatcher when no agent answered this long after the call was queued. */
  readonly answerWarnSec: number;
}

export interface HandoffDeps {
  readonly partners: readonly Partner[];
  readonly settings: HandoffSettings;
  readonly store: HandoffStorePort;
  readonly now: () => number;
  readonly newId: () => string;
  /** The local calendar day (YYYY-MM-DD) a time falls on: figures are per day. */
  readonly dayOf: (ms: number) => string;
  readonly logger: Logger;
  /** A handoff changed (the dispatcher console's live view). */
  readonly onChange?: (h: Handoff) => void;
  /** The outcome is known: tell the partner's system. */
  readonly sendOutcome?: (h: Handoff, partner: Partner) => void;
  /** Where a queued caller stands (1 = next), if known. */
  readonly positionOf?: (callId: string, queue: string) => Promise<number | undefined>;
  /** Send a waiting caller back to the partner (take-back). */
  readonly returnCall?: (callId: string, partner: Partner) => Promise<void>;
}

export interface IncomingCall {
  readonly callId: string;
  readonly line: string;
  readonly callerNumber: string;
  readonly caseId?: string | undefined;
  readonly queue: string;
}

/**
 * Figures fields: `<direction>:<metric>`. Mean answer time = answerMsSum / answerTimed (the accepted
 * calls whose answer time is known: every `in` call; an `out` one when its record has the partner's leg).
 */
export const FIGURE_METRICS = ['announced', 'transferred', 'accepted', 'returned', 'threeWay', 'answerMsSum', 'answerTimed'] as const;
export type FigureMetric = (typeof FIGURE_METRICS)[number];

export class HandoffService {
  private readonly byLine: Map<string, Partner>;
  private readonly log: Logger;
  /** Calls this instance follows: call id -> handoff id and the last state applied. */
  private readonly following = new Map<string, { id: string; state: Handoff['state'] }>();
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly deps: HandoffDeps) {
    this.byLine = new Map(deps.partners.map((p) => [p.line, p]));
    this.log = deps.logger.child({ component: 'handoff' });
  }

  partner(id: string): Partner | undefined {
    return this.deps.partners.find((p) => p.id === id);
  }

  partnerOfLine(line: string): Partner | undefined {
    return this.byLine.get(line);
  }

  /** A dispatcher files a case before transferring its caller. */
  async announce(input: AnnounceInput, by: string): Promise<Handoff> {
    const partner = this.partner(input.partner);
    if (!partner) throw new HandoffError('not-found', `no partner hotline ${input.partner}`);
    const h: Handoff = { ...input, id: this.deps.newId(), direction: 'in', by, createdMs: this.deps.now(), state: 'announced' };
    if (!(await this.deps.store.reserveCase(partner.id, input.caseId, h.id))) throw new HandoffError('conflict', `case ${input.caseId} of ${partner.id} is announced already`);
    await this.deps.store.write(h, undefined, this.deps.dayOf(h.createdMs), { 'in:announced': 1 });
    await this.deps.store.expectCaller(partner.id, input.callerNumber, h.id, this.deps.settings.matchWindowSec);
    this.log.info({ handoffId: h.id, partner: partner.id, caseId: h.caseId, callerNumber: h.callerNumber }, 'handoff announced');
    this.deps.onChange?.(h);
    return h;
  }

  /**
   * A call on a partner's line reached the queue: match it to its announcement (case id first, then
   * the caller number within the window) or record it as unannounced. Returns the handoff and the
   * partner's priority class, or undefined for a line no partner uses.
   */
  async match(call: IncomingCall): Promise<{ handoff: Handoff; priority: Partner['priority'] } | undefined> {
    const partner = this.byLine.get(call.line);
    if (!partner) return undefined;
    const log = this.log.child({ callId: call.callId, partner: partner.id });
    let id = call.caseId ? await this.deps.store.byCase(partner.id, call.caseId) : undefined;
    let matchedBy: Handoff['matchedBy'] = id ? 'case-id' : undefined;
    if (!id && call.callerNumber) {
      id = await this.deps.store.takeCaller(partner.id, call.callerNumber);
      if (id) matchedBy = 'caller-number';
    }
    const queuedMs = this.deps.now();
    let handoff: Handoff | undefined;
    if (id && matchedBy) {
      const by = matchedBy;
      handoff = await this.update(id, (h) => {
        if (h.state !== 'announced') return undefined;
        Object.assign(h, { state: 'queued', callId: call.callId, matchedBy: by, queue: call.queue, queuedMs });
        return { 'in:transferred': 1 };
      });
    }
    if (!handoff) {
      // Nobody announced it (or its announcement was used): still a transfer from the partner.
      const h: Handoff = {
        id: this.deps.newId(), partner: partner.id, direction: 'in', caseId: call.caseId ?? '', callerNumber: call.callerNumber, category: '', summary: '', location: '',
        dispatcherName: '', dispatcherCallback: '', by: 'switch', createdMs: queuedMs, state: 'queued', callId: call.callId, matchedBy: 'unannounced', queue: call.queue, queuedMs,
      };
      await this.deps.store.write(h, undefined, this.deps.dayOf(h.createdMs), { 'in:transferred': 1 });
      handoff = h;
    }
    await this.deps.store.linkCall(call.callId, handoff.id);
    this.following.set(call.callId, { id: handoff.id, state: 'queued' });
    log.info({ handoffId: handoff.id, matchedBy: handoff.matchedBy }, 'call from a partner hotline matched');
    this.deps.onChange?.(handoff);
    await this.refreshPosition(handoff).catch((err: unknown) => log.warn({ err }, 'position not refreshed'));
    return { handoff, priority: partner.priority };
  }

  /** The registry's view of a call changed: follow a partner's call through ringing, answered, ended. */
  onCall(call: Readonly<CallRecord>): void {
    if (!this.byLine.has(call.line)) return;
    const phase = phaseOf(call);
    const known = this.following.get(call.id);
    if (known && !advances(known.state, phase.state)) return;
    if (phase.state === 'queued') return;
    // One update at a time per call, in the order the switch reported them: concurrent updates of
    // one handoff would only race each other's compare-and-set.
    const prev = this.chains.get(call.id) ?? Promise.resolve();
    const next = prev
      .then(() => this.follow(call.id, phase, this.following.get(call.id)?.id))
      .catch((err: unknown) => this.log.warn({ err, callId: call.id }, 'handoff not updated'))
      .finally(() => {
        if (this.chains.get(call.id) === next) this.chains.delete(call.id);
      });
    this.chains.set(call.id, next);
  }

  /** The agent's wrap-up of a partner's call: the outcome the partner hears back. */
  async wrapUp(callId: string, outcome: HandoffOutcome): Promise<Handoff | undefined> {
    const id = this.following.get(callId)?.id ?? (await this.deps.store.byCall(callId));
    if (!id) return undefined;
    const h = await this.update(id, (x) => {
      if (x.outcome) return undefined;
      x.outcome = outcome;
      return {};
    }, isOpen);
    if (!h) return undefined;
    this.deps.onChange?.(h);
    const partner = this.partner(h.partner);
    if (partner) this.deps.sendOutcome?.(h, partner);
    return h;
  }

  /** The handoff of a call, if the call is one. */
  async byCall(callId: string): Promise<Handoff | undefined> {
    const id = this.following.get(callId)?.id ?? (await this.deps.store.byCall(callId));
    return id ? (await this.deps.store.get(id))?.handoff : undefined;
  }

  /**
   * The partner's call became a three-way (counted once), or its case owner was decided: both
   * consoles see it (the dispatcher's through onChange, the agent's through the call record).
   */
  async threeWay(callId: string, caseOwner?: Handoff['caseOwner']): Promise<Handoff | undefined> {
    const id = this.following.get(callId)?.id ?? (await this.deps.store.byCall(callId));
    if (!id) return undefined;
    const h = await this.update(id, (x) => {
      const figures: Record<string, number> = x.threeWay ? {} : { [`${x.direction}:threeWay`]: 1 };
      if (x.threeWay && !caseOwner) return undefined;
      x.threeWay = true;
      if (caseOwner) x.caseOwner = caseOwner;
      return figures;
    });
    if (h) this.deps.onChange?.(h);
    return h;
  }

  /** The dispatcher takes the caller back: only while no agent has answered. */
  async takeBack(id: string): Promise<Handoff> {
    const current = await this.deps.store.get(id);
    if (!current) throw new HandoffError('not-found', `no handoff ${id}`);
    const { handoff } = current;
    if (handoff.state !== 'queued' && handoff.state !== 'ringing') throw new HandoffError('conflict', `handoff ${id} is ${handoff.state}: only a caller still waiting can be taken back`);
    const partner = this.partner(handoff.partner);
    if (!partner || !handoff.callId) throw new HandoffError('conflict', `handoff ${id} has no call to take back`);
    const returnedMs = this.deps.now();
    const h = await this.update(id, (x) => {
      if (x.state !== 'queued' && x.state !== 'ringing') return undefined;
      Object.assign(x, { state: 'returned', returnedMs });
      return { 'in:returned': 1 };
    });
    if (!h) throw new HandoffError('conflict', `handoff ${id} changed meanwhile`);
    this.following.set(handoff.callId, { id, state: 'returned' });
    await this.deps.returnCall?.(handoff.callId, partner);
    this.log.info({ handoffId: id, callId: handoff.callId, partner: partner.id }, 'caller taken back by the partner');
    this.deps.onChange?.(h);
    return h;
  }

  /** Once a second or so: warn about callers nobody answered, expire announcements never used, refresh positions. */
  async review(): Promise<void> {
    const now = this.deps.now();
    for (const h of await this.deps.store.open()) {
      if (h.state === 'announced' && now - h.createdMs > Math.max(this.deps.settings.matchWindowSec, 60) * 1000 * 4) {
        const x = await this.update(h.id, (y) => (y.state === 'announced' ? (Object.assign(y, { state: 'expired' }), {}) : undefined));
        if (x) this.deps.onChange?.(x);
      } else if ((h.state === 'queued' || h.state === 'ringing') && h.queuedMs !== undefined) {
        if (h.warnedMs === undefined && now - h.queuedMs >= this.deps.settings.answerWarnSec * 1000) {
          const x = await this.update(h.id, (y) => (y.warnedMs === undefined && (y.state === 'queued' || y.state === 'ringing') ? ((y.warnedMs = now), {}) : undefined));
          if (x) {
            this.log.warn({ handoffId: h.id, callId: h.callId, partner: h.partner }, 'partner call not answered in time: dispatcher warned');
            this.deps.onChange?.(x);
          }
        }
        if (h.state === 'queued') await this.refreshPosition(h);
      }
    }
  }

  async get(id: string): Promise<Handoff | undefined> {
    return (await this.deps.store.get(id))?.handoff;
  }

  list(partner: string, sinceMs: number): Promise<Handoff[]> {
    return this.deps.store.list(partner, sinceMs);
  }

  /**
   * A three-way call with a partner hotline: the xfer side calls this once per conference that the
   * partner joined (direction `out`: 12345's agent brought the partner in; `in`: a partner's call
   * became a three-way call). `day` is the local day of the conference's start (deps.dayOf).
   */
  async recordThreeWay(partner: string, day: string, direction: 'in' | 'out' = 'out'): Promise<void> {
    if (!this.partner(partner)) throw new HandoffError('not-found', `no partner hotline ${partner}`);
    await this.deps.store.count(partner, day, { [`${direction}:threeWay`]: 1 });
  }

  /** The local day a time falls on (for recordThreeWay's callers). */
  dayOf(ms: number): string {
    return this.deps.dayOf(ms);
  }

  /**
   * A completed call's transfers to partner hotlines (its CDR's transfer records): the `out` side
   * of the figures. Call once per call (the instance whose CDR write won does).
   */
  async recordCallOut(call: Readonly<CallRecord>): Promise<void> {
    for (const o of outTransfers(this.deps.partners, call)) {
      await this.deps.store.count(o.partner, this.deps.dayOf(o.atMs), o.figures);
      this.log.info({ callId: call.id, partner: o.partner, accepted: o.figures['out:accepted'] === 1 }, 'call transferred to a partner hotline');
    }
  }

  /** One partner's figures for one day, per direction. */
  async figures(partner: string, day: string): Promise<DayFigures> {
    const raw = await this.deps.store.figures(partner, day);
    const dir = (d: 'in' | 'out'): DirectionFigures => {
      const get = (m: FigureMetric): number => raw[`${d}:${m}`] ?? 0;
      const timed = get('answerTimed');
      return { announced: get('announced'), transferred: get('transferred'), accepted: get('accepted'), returned: get('returned'), threeWay: get('threeWay'), meanAnswerSec: timed ? Math.round(get('answerMsSum') / timed) / 1000 : null };
    };
    return { partner, day, in: dir('in'), out: dir('out') };
  }

  private async follow(callId: string, phase: ReturnType<typeof phaseOf>, knownId: string | undefined): Promise<void> {
    const id = knownId ?? (await this.deps.store.byCall(callId));
    if (!id) return;
    const h = await this.update(id, (x) => {
      if (!advances(x.state, phase.state) || x.state === 'returned') return undefined;
      const figures: Record<string, number> = {};
      if (phase.state === 'ringing') Object.assign(x, { ringingAgent: phase.agentId, ringingMs: phase.atMs });
      if (phase.state === 'answered') {
        Object.assign(x, { answeredBy: phase.agentId, answeredMs: phase.atMs });
        figures[`${x.direction}:accepted`] = 1;
        figures[`${x.direction}:answerMsSum`] = Math.max(0, (phase.atMs ?? 0) - (x.queuedMs ?? phase.atMs ?? 0));
        figures[`${x.direction}:answerTimed`] = 1;
      }
      if (phase.state === 'ended') x.endedMs = phase.atMs ?? this.deps.now();
      x.state = phase.state;
      delete x.position;
      return figures;
    });
    if (phase.state === 'ended') this.following.delete(callId);
    else this.following.set(callId, { id, state: h?.state ?? phase.state });
    if (h) this.deps.onChange?.(h);
  }

  private async refreshPosition(h: Handoff): Promise<void> {
    if (!h.callId || !h.queue || !this.deps.positionOf) return;
    const position = await this.deps.positionOf(h.callId, h.queue).catch(() => undefined);
    if (position === undefined || position === h.position) return;
    const x = await this.update(h.id, (y) => (y.state === 'queued' ? ((y.position = position), {}) : undefined));
    if (x) this.deps.onChange?.(x);
  }

  /**
   * Read, change, compare-and-set; a few tries when another instance wrote in between. `change`
   * returns the figures to count, or undefined for no change. `keepOpen` decides the open set.
   */
  private async update(id: string, change: (h: Handoff) => Record<string, number> | undefined, keepOpen: (s: Handoff['state']) => boolean = isOpen): Promise<Handoff | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const cur = await this.deps.store.get(id);
      if (!cur) return undefined;
      const h = cur.handoff;
      const figures = change(h);
      if (!figures) return undefined;
      const rev = await this.deps.store.write(h, cur.rev, this.deps.dayOf(h.createdMs), figures, keepOpen(h.state) || (h.state === 'ended' && !h.outcome && h.answeredBy !== undefined));
      if (rev !== undefined) return h;
    }
    this.log.warn({ handoffId: id }, 'handoff update lost to concurrent writers');
    return undefined;
  }
}

export interface DirectionFigures {
  announced: number;
  transferred: number;
  accepted: number;
  returned: number;
  threeWay: number;
  meanAnswerSec: number | null;
}

export interface DayFigures {
  partner: string;
  day: string;
  in: DirectionFigures;
  out: DirectionFigures;
}
