// The agent's desk beyond the call itself: the wrap-up form (filed once per agent and call, sent on
// to the ticket system), the repeat caller's earlier calls, and the agent's own figures for today.
// Facts come from switch events (their timestamps); "today" is the local day in the configured
// time zone, taken from the injected clock.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CallRecord, LegRecord } from '../calls/call-record.ts';
import type { DayFact, DayFigures, DeskCallFacts, DeskStore, HistoryEntry, StoredWrapUp, WrapUpCategoryName } from '../store/desk-store.ts';

export interface DeskAgents {
  get(agentId: string): Promise<{ state: string; callId?: string } | undefined>;
  /**
   * When the agent's latest handling of this call ended (its wrap-up began, ms), from the agent's
   * audit trail; undefined if the agent has not recently finished this call.
   */
  handlingEnded(agentId: string, callId: string): Promise<number | undefined>;
  /** wrap-up -> ready once the form is filed. */
  endWrapUp(agentId: string): Promise<void>;
}

/** Where filed wrap-ups go next (the ticket-system webhook); never throws. */
export interface TicketSink {
  send(wrapUp: StoredWrapUp, call: DeskCallFacts | undefined): void;
}

export interface DeskDeps {
  readonly store: DeskStore;
  readonly agents: DeskAgents;
  readonly calls: { get(callId: string): Readonly<CallRecord> | undefined };
  readonly tickets?: TicketSink;
  /** Whether a knowledge-base entry exists; absent: any well-formed id is taken. */
  readonly kbEntryExists?: (id: string) => boolean;
  readonly timeZone: string;
  /** The answer target in seconds (GB/T 33358: 15). */
  readonly thresholdSec: number;
  /** Wall clock (ms): which local day it is, and wrap-up times. */
  readonly now: () => number;
  readonly logger: Logger;
}

export class DeskError extends Error {
  constructor(
    readonly code: 'not-found' | 'forbidden' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'DeskError';
  }
}

export interface WrapUpInput {
  callId: string;
  category: WrapUpCategoryName;
  summary: string;
  ticketRef?: string;
  kbEntryId?: string;
}

const factsOf = (c: Readonly<CallRecord>): DeskCallFacts => ({
  callId: c.id,
  callerNumber: c.callerNumber,
  line: c.line,
  createdMs: Math.floor(c.createdUs / 1000),
  ...(c.queue ? { queue: c.queue } : {}),
  ...(c.queuedUs !== undefined ? { queuedMs: Math.floor(c.queuedUs / 1000) } : {}),
});

export class Desk {
  private readonly dayFormat: Intl.DateTimeFormat;
  /** The local day of the last minute dayOf was asked about. */
  private lastDay = { minute: NaN, day: '' };

  constructor(private readonly deps: DeskDeps) {
    // en-CA formats as YYYY-MM-DD.
    this.dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: deps.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  dayOf(ms: number): string {
    // Twice per agent leg: Intl's format took ~25 µs a call inside the service (0.8 % of its CPU
    // at the push bench's peak). Time zones' offsets are whole minutes today, so a minute never
    // spans two local days.
    const minute = Math.floor(ms / 60_000);
    if (minute !== this.lastDay.minute) this.lastDay = { minute, day: this.dayFormat.format(new Date(ms)) };
    return this.lastDay.day;
  }

  private readonly pending = new Set<Promise<void>>();

  private record(p: Promise<void>, callId: string): void {
    const q = p.catch((err: unknown) => this.deps.logger.error({ err, callId }, 'desk figures not recorded')).finally(() => this.pending.delete(q));
    this.pending.add(q);
  }

  /** Resolves once every figure recorded so far is written (shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** An agent leg answered (switch time): answered, and within the target if it was a queue offer. */
  agentAnswered(call: Readonly<CallRecord>, leg: Readonly<LegRecord>, atUs: number): void {
    if (!leg.agentId) return;
    const facts: DayFact[] = [{ metric: 'answered', id: call.id }];
    if (leg.purpose === 'offer' || leg.purpose === undefined) {
      facts.push({ metric: 'offered', id: call.id });
      const waited = call.queuedUs === undefined ? undefined : atUs - call.queuedUs;
      if (waited !== undefined) facts.push({ metric: 'in15', id: call.id, value: waited <= this.deps.thresholdSec * 1e6 ? 1 : 0 });
    }
    this.record(this.deps.store.record(leg.agentId, this.dayOf(atUs / 1000), facts, factsOf(call)), call.id);
  }

  /** An agent leg ended: an offer counts as offered whether answered or not; talk time if answered. */
  agentLegEnded(call: Readonly<CallRecord>, leg: Readonly<LegRecord>, atUs: number): void {
    if (!leg.agentId) return;
    const facts: DayFact[] = [];
    if (leg.purpose === 'offer' || leg.purpose === undefined) facts.push({ metric: 'offered', id: call.id });
    if (leg.answeredUs !== undefined) facts.push({ metric: 'talkMs', id: `${call.id}:${leg.uuid}`, value: Math.max(0, Math.round((atUs - leg.answeredUs) / 1000)) });
    if (facts.length) this.record(this.deps.store.record(leg.agentId, this.dayOf(atUs / 1000), facts), call.id);
  }

  transferred(agentId: string, callId: string): void {
    this.record(this.deps.store.recordDay(agentId, this.dayOf(this.deps.now()), 'transfer', callId), callId);
  }

  /**
   * File the wrap-up of a call the agent finished (in wrap-up, or late after wrap-up time ran out),
   * then end the agent's wrap-up. One per handling: a call that comes back to the same agent (a
   * transfer nobody answered) is a new handling with its own wrap-up.
   */
  async wrapUp(agentId: string, input: WrapUpInput): Promise<StoredWrapUp> {
    const agent = await this.deps.agents.get(agentId);
    if (!agent) throw new DeskError('not-found', `agent ${agentId}: no such agent`);
    if (input.kbEntryId && this.deps.kbEntryExists && !this.deps.kbEntryExists(input.kbEntryId))
      throw new DeskError('not-found', `knowledge-base entry ${input.kbEntryId}: no such entry (answered from the KB names the entry used)`);
    if (agent.state === 'on-call' && agent.callId === input.callId) throw new DeskError('conflict', `call ${input.callId}: file the wrap-up once the call has ended`);
    const handling = await this.deps.agents.handlingEnded(agentId, input.callId);
    if (handling === undefined) throw new DeskError('conflict', `call ${input.callId} is not a call you have finished`);
    const live = this.deps.calls.get(input.callId);
    const facts = live ? factsOf(live) : await this.deps.store.callFacts(input.callId);
    const wrapUp: StoredWrapUp = {
      id: randomUUID(),
      callId: input.callId,
      agentId,
      category: input.category,
      summary: input.summary,
      ...(input.ticketRef ? { ticketRef: input.ticketRef } : {}),
      ...(input.kbEntryId ? { kbEntryId: input.kbEntryId } : {}),
      atMs: this.deps.now(),
    };
    if (!(await this.deps.store.fileWrapUp(wrapUp, handling, facts))) throw new DeskError('conflict', `call ${input.callId} is already wrapped up`);
    await this.deps.store.recordDay(agentId, this.dayOf(wrapUp.atMs), 'wrapup', input.callId, input.category);
    this.deps.tickets?.send(wrapUp, facts);
    if (agent.state === 'wrap-up' && agent.callId === input.callId) await this.deps.agents.endWrapUp(agentId);
    this.deps.logger.info({ callId: input.callId, agentId, category: input.category, ...(input.kbEntryId ? { kbEntryId: input.kbEntryId } : {}) }, 'wrap-up filed');
    return wrapUp;
  }

  /** The caller's earlier handled calls, for an agent on (or offered) the call. */
  async history(callId: string): Promise<HistoryEntry[]> {
    const call = this.deps.calls.get(callId);
    const number = call?.callerNumber ?? (await this.deps.store.callFacts(callId))?.callerNumber;
    if (number === undefined) throw new DeskError('not-found', `call ${callId}: unknown`);
    return this.deps.store.history(number, callId);
  }

  async figures(agentId: string): Promise<DayFigures & { day: string }> {
    const day = this.dayOf(this.deps.now());
    return { day, ...(await this.deps.store.dayFigures(agentId, day)) };
  }
}
