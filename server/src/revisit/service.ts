// Revisit calls (回访): tasks come from REST, the ticket system and the rules; when one is due and
// inside calling hours it is offered to a ready agent as a preview card (the agent is reserved
// for it through the ACD's state machine, so no queue call is offered meanwhile); the agent clicks
// 回拨 and the preview call (preview-call.ts) rings the agent, then the citizen, and bridges them;
// the agent records the outcome and the retry rules decide what comes next.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { RevisitStore, FigureField } from '../store/revisit-store.ts';
import { nextSlot, withinHours, type CallingHours } from './calling-hours.ts';
import { PreviewCall, type PreviewSettings } from './preview-call.ts';
import type { RevisitAgents, RevisitCard, RevisitNotify, RevisitSwitch } from './ports.ts';
import { afterOutcome, type RetryRules } from './retry.ts';
import { taskFromCdr, taskFromWrapUp, type WrapUpFacts } from './rules.ts';
import { maskNumber, revisitCallId, taskIdOfCall, type CreateRevisit, type RevisitOutcome, type RevisitReason, type RevisitState, type RevisitTask } from './task.ts';

export interface RevisitSettings extends PreviewSettings {
  readonly hours: CallingHours;
  readonly retry: RetryRules;
  /** Agents with this skill get due tasks offered when ready; any ready agent may take one. */
  readonly skill: string;
  /** Default due window: a task not closed this long after it became due is given up. */
  readonly windowHours: number;
  /** A preview card left unanswered this long goes back to the list (the agent is released). */
  readonly previewTimeoutSec: number;
}

export interface RevisitDeps {
  readonly store: RevisitStore;
  readonly agents: RevisitAgents;
  readonly sw: RevisitSwitch;
  readonly notify: RevisitNotify;
  readonly settings: RevisitSettings;
  /** The citizen's dial string through the carrier (freeswitch/esl-values.ts); throws if not a number. */
  readonly citizenDialstring: (number: string) => string;
  /** The local day (YYYY-MM-DD) a time falls on, for the figures. */
  readonly dayOf: (ms: number) => string;
  readonly now: () => number;
  readonly logger: Logger;
}

export class RevisitError extends Error {
  constructor(
    readonly code: 'not-found' | 'conflict' | 'forbidden' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'RevisitError';
  }
}

export interface RevisitFilter {
  readonly state?: RevisitState;
  readonly reason?: RevisitReason;
  readonly fromMs: number;
  readonly toMs: number;
  readonly limit: number;
}

export interface RevisitFigures {
  readonly day: string;
  readonly created: number;
  readonly attempted: number;
  readonly reached: number;
  readonly resolved: number;
  readonly notResolved: number;
  readonly notReached: number;
  readonly refused: number;
  /** Attempts per closed task (done or failed) that day; null when none closed. */
  readonly meanAttempts: number | null;
}

const OUTCOME_FIELD: Record<RevisitOutcome, FigureField> = { resolved: 'resolved', 'not-resolved': 'notResolved', 'not-reached': 'notReached', refused: 'refused' };

/** The task as a supervisor's list shows it: the number masked. */
export const listView = (t: RevisitTask): RevisitTask => ({ ...t, number: maskNumber(t.number) });

export class RevisitService {
  private readonly log: Logger;
  private readonly preview: PreviewCall;
  private ticking = false;

  constructor(private readonly deps: RevisitDeps) {
    this.log = deps.logger.child({ component: 'revisit' });
    this.preview = new PreviewCall({
      sw: deps.sw,
      agents: deps.agents,
      settings: deps.settings,
      citizenDialstring: deps.citizenDialstring,
      logger: this.log,
      attempted: (taskId, agentId) => this.attempted(taskId, agentId),
      reached: (taskId, agentId, reached, cause) => this.reached(taskId, agentId, reached, cause),
      changed: (taskId, agentId) => void this.push(agentId, taskId),
      agentNoAnswer: (taskId, agentId) => this.backToOffered(taskId, agentId),
    });
  }

  /** A new task due at the first calling slot at or after `dueFrom` (default now). undefined: the rule already made one for this call. */
  async create(input: CreateRevisit, by: string, fromRule = false): Promise<RevisitTask | undefined> {
    const now = this.deps.now();
    const { hours, windowHours } = this.deps.settings;
    const from = input.dueFrom ? Date.parse(input.dueFrom) : now;
    const dueMs = nextSlot(Math.max(from, now), hours);
    const deadlineMs = input.dueBy ? Date.parse(input.dueBy) : dueMs + windowHours * 3_600_000;
    if (deadlineMs <= dueMs) throw new RevisitError('invalid', 'dueBy is before the first calling slot');
    const task: RevisitTask = {
      id: randomUUID(),
      number: input.number,
      reason: input.reason,
      summary: input.summary,
      ...(input.callId ? { callId: input.callId } : {}),
      ...(input.ticketId ? { ticketId: input.ticketId } : {}),
      createdMs: now,
      dueMs,
      deadlineMs,
      attempts: 0,
      state: 'pending',
      history: [],
      by,
      rev: 1,
    };
    const source = fromRule && input.callId ? { callId: input.callId, reason: input.reason } : undefined;
    if (!(await this.deps.store.create(task, this.deps.dayOf(now), source))) return undefined;
    await this.deps.store.audit({ action: 'create', taskId: task.id, by, atMs: now, detail: input.reason });
    this.log.info({ taskId: task.id, reason: task.reason, callId: task.callId, number: maskNumber(task.number), dueMs }, 'revisit task created');
    return task;
  }

  /** Rule: every complaint gets a revisit. */
  async fromWrapUp(w: WrapUpFacts): Promise<RevisitTask | undefined> {
    const input = taskFromWrapUp(w);
    return input ? this.create(input, 'rule:complaint', true) : undefined;
  }

  /** Rule: every unsatisfied rating gets a revisit (rules.ts SURVEY_FIELD). */
  async fromCdr(cdr: Readonly<Record<string, unknown>>): Promise<RevisitTask | undefined> {
    const input = taskFromCdr(cdr);
    return input ? this.create(input, 'rule:unsatisfied', true) : undefined;
  }

  get(id: string): Promise<RevisitTask | undefined> {
    return this.deps.store.get(id);
  }

  async list(f: RevisitFilter): Promise<RevisitTask[]> {
    // Read more than asked when filtering, so a filtered page is not mostly empty.
    const all = await this.deps.store.list(f.fromMs, f.toMs, f.state || f.reason ? f.limit * 10 : f.limit);
    return all.filter((t) => (!f.state || t.state === f.state) && (!f.reason || t.reason === f.reason)).slice(0, f.limit);
  }

  async figures(day: string): Promise<RevisitFigures> {
    const c = await this.deps.store.figures(day);
    return {
      day,
      created: c.created,
      attempted: c.attempted,
      reached: c.reached,
      resolved: c.resolved,
      notResolved: c.notResolved,
      notReached: c.notReached,
      refused: c.refused,
      meanAttempts: c.finished ? Math.round((c.finishedAttempts / c.finished) * 100) / 100 : null,
    };
  }

  /** Once a second: release previews left too long, then offer due tasks to ready agents with the skill. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.releaseStale();
      const now = this.deps.now();
      if (!withinHours(now, this.deps.settings.hours)) return;
      for (const agentId of await this.deps.agents.readyWithSkill(this.deps.settings.skill)) {
        // Wrap-up ran out before this agent recorded its last revisit's outcome: the form comes first.
        if (this.preview.taskOf(agentId)) continue;
        if (!(await this.offerNext(agentId))) break;
      }
    } catch (err) {
      this.log.error({ err }, 'revisit review failed');
    } finally {
      this.ticking = false;
    }
  }

  /** "Take a revisit": a ready agent asks for the next due task. */
  async take(agentId: string): Promise<RevisitCard> {
    if (!withinHours(this.deps.now(), this.deps.settings.hours)) throw new RevisitError('conflict', 'outside calling hours: revisit calls are not made now');
    const agent = await this.deps.agents.get(agentId);
    if (agent?.state !== 'ready') throw new RevisitError('conflict', `you must be ready to take a revisit (you are ${agent?.state ?? 'unknown'})`);
    const card = await this.offerNext(agentId);
    if (!card) throw new RevisitError('not-found', 'no revisit is due now');
    return card;
  }

  /** The agent's card: the task it is reserved for (after a reconnect, or on another instance). */
  async current(agentId: string): Promise<RevisitCard | null> {
    const taskId = taskIdOfCall((await this.deps.agents.get(agentId))?.callId) ?? this.preview.taskOf(agentId);
    const task = taskId ? await this.deps.store.get(taskId) : undefined;
    if (!task || task.agentId !== agentId || (task.state !== 'offered' && task.state !== 'dialing')) return null;
    return this.cardOf(task);
  }

  /** The agent passes on the card: the task goes back to the list as it was, the agent to ready. */
  async skip(agentId: string, taskId: string): Promise<void> {
    const task = await this.mine(agentId, taskId, ['offered']);
    const back = await this.deps.store.mutate(task.id, (t) => (t.state === 'offered' && t.agentId === agentId ? withoutAgent({ ...t, state: 'pending' }) : undefined));
    if (!back) throw new RevisitError('conflict', 'the task changed meanwhile');
    if (await this.deps.agents.apply(agentId, 'cancelReservation', revisitCallId(taskId))) this.deps.agents.becameReady(agentId);
    await this.deps.store.audit({ action: 'skip', taskId, by: `agent:${agentId}`, atMs: this.deps.now() });
    this.deps.notify.card(agentId, null);
  }

  /** 回拨: ring the agent's phone, then the citizen, and bridge them. Resolves once the agent's phone rings. */
  async call(agentId: string, taskId: string): Promise<{ agentLeg: string }> {
    const task = await this.mine(agentId, taskId, ['offered']);
    const agent = await this.deps.agents.get(agentId);
    if (agent?.state !== 'reserved' || agent.callId !== revisitCallId(taskId)) throw new RevisitError('conflict', 'you are not reserved for this revisit');
    const dialing = await this.deps.store.mutate(task.id, (t) => (t.state === 'offered' && t.agentId === agentId ? { ...t, state: 'dialing', offeredMs: this.deps.now() } : undefined));
    if (!dialing) throw new RevisitError('conflict', 'the task changed meanwhile');
    await this.deps.store.audit({ action: 'call', taskId, by: `agent:${agentId}`, atMs: this.deps.now() });
    const agentLeg = this.preview.start(dialing, agentId, agent.phone);
    await this.push(agentId, taskId);
    return { agentLeg };
  }

  /** The agent ends the revisit call from the card. */
  async hangup(agentId: string, taskId: string): Promise<void> {
    await this.mine(agentId, taskId, ['dialing']);
    await this.preview.hangup(taskId);
  }

  /** The agent records what came of the call; the retry rules decide what happens to the task. */
  async outcome(agentId: string, taskId: string, outcome: RevisitOutcome, note?: string): Promise<RevisitTask> {
    await this.mine(agentId, taskId, ['dialing']);
    if (this.preview.inProgress(taskId)) throw new RevisitError('conflict', 'the call is still on: hang up first');
    const now = this.deps.now();
    const { retry, hours } = this.deps.settings;
    const next = await this.deps.store.mutate(taskId, (t) => {
      if (t.state !== 'dialing' || t.agentId !== agentId) return undefined;
      const step = afterOutcome(t, outcome, now, retry, hours);
      const history = [...t.history];
      const last = history[history.length - 1];
      if (last && last.agentId === agentId && last.outcome === undefined) history[history.length - 1] = { ...last, outcome, ...(note ? { note } : {}) };
      else history.push({ agentId, atMs: now, reached: false, outcome, ...(note ? { note } : {}) });
      const base = withoutAgent({ ...t, history, outcome });
      return step.state === 'pending' ? { ...base, state: 'pending', dueMs: step.dueMs! } : { ...base, state: step.state };
    });
    if (!next) throw new RevisitError('conflict', 'the task changed meanwhile');
    const day = this.deps.dayOf(now);
    const closed = next.state === 'done' || next.state === 'failed';
    await this.deps.store.count(day, { [OUTCOME_FIELD[outcome]]: 1, ...(closed ? { finished: 1, finishedAttempts: next.attempts } : {}) });
    await this.deps.store.audit({ action: `outcome:${outcome}`, taskId, by: `agent:${agentId}`, atMs: now, detail: next.state });
    this.preview.forget(taskId);
    await this.releaseAgent(agentId, taskId);
    this.deps.notify.card(agentId, null);
    this.log.info({ taskId, agentId, outcome, state: next.state, dueMs: next.state === 'pending' ? next.dueMs : undefined }, 'revisit outcome recorded');
    return next;
  }

  /** Switch events: the end of either leg of a preview call. */
  onSwitchEvent(ev: { readonly type: string; readonly uuid: string; readonly cause?: string }): void {
    if (ev.type === 'channel-hangup' || ev.type === 'channel-hangup-complete') this.preview.legEnded(ev.uuid, ev.cause);
  }

  /** Wait for calls in progress to settle (shutdown, tests). */
  idle(): Promise<void> {
    return this.preview.idle();
  }

  private async offerNext(agentId: string): Promise<RevisitCard | undefined> {
    const { store } = this.deps;
    for (;;) {
      const now = this.deps.now();
      const id = await store.claimDue(now);
      if (!id) return undefined;
      const task = await store.get(id);
      if (!task || task.state !== 'pending') {
        // Left in the due set by a crash between writes: the task record is what counts.
        if (task) await store.mutate(id, (t) => t);
        continue;
      }
      if (now > task.deadlineMs) {
        await store.mutate(id, (t) => (t.state === 'pending' ? { ...t, state: 'failed' } : undefined));
        await store.count(this.deps.dayOf(now), { finished: 1, finishedAttempts: task.attempts });
        await store.audit({ action: 'expired', taskId: id, by: 'system', atMs: now });
        continue;
      }
      // Reserved through the agent store's compare-and-set: if the ACD claimed the agent first, this fails.
      if (!(await this.deps.agents.apply(agentId, 'reserve', revisitCallId(id)))) {
        await store.unclaim(id, task.dueMs);
        return undefined;
      }
      const offered = await store.mutate(id, (t) => (t.state === 'pending' ? { ...t, state: 'offered', agentId, offeredMs: now } : undefined));
      if (!offered) {
        if (await this.deps.agents.apply(agentId, 'cancelReservation', revisitCallId(id))) this.deps.agents.becameReady(agentId);
        continue;
      }
      await store.audit({ action: 'offer', taskId: id, by: 'system', atMs: now, detail: agentId });
      this.log.info({ taskId: id, agentId }, 'revisit offered');
      const card = this.cardOf(offered);
      this.deps.notify.card(agentId, card);
      return card;
    }
  }

  /**
   * Previews nobody acted on (or whose instance died) go back to the list; their agents are
   * released. A call whose outcome never came (the agent signed out, the instance died) is put
   * back after an hour, once its agent has moved on: the attempt stays counted.
   */
  private async releaseStale(): Promise<void> {
    const now = this.deps.now();
    for (const id of await this.deps.store.offeredBefore(now - this.deps.settings.previewTimeoutSec * 1000)) {
      const task = await this.deps.store.get(id);
      if (task?.state === 'dialing' && task.agentId && (task.offeredMs ?? 0) < now - 3_600_000) await this.abandoned(task, task.agentId, now);
      if (!task || task.state !== 'offered' || !task.agentId) continue;
      const agentId = task.agentId;
      const back = await this.deps.store.mutate(id, (t) => (t.state === 'offered' && t.offeredMs === task.offeredMs ? withoutAgent({ ...t, state: 'pending' }) : undefined));
      if (!back) continue;
      if (await this.deps.agents.apply(agentId, 'cancelReservation', revisitCallId(id))) this.deps.agents.becameReady(agentId);
      await this.deps.store.audit({ action: 'preview-timeout', taskId: id, by: 'system', atMs: now, detail: agentId });
      this.deps.notify.card(agentId, null);
      this.log.info({ taskId: id, agentId }, 'revisit preview timed out; back in the list');
    }
  }

  private async abandoned(task: RevisitTask, agentId: string, now: number): Promise<void> {
    if (this.preview.taskOf(agentId) === task.id) return;
    if ((await this.deps.agents.get(agentId))?.callId === revisitCallId(task.id)) return;
    const back = await this.deps.store.mutate(task.id, (t) => (t.state === 'dialing' && t.offeredMs === task.offeredMs ? withoutAgent({ ...t, state: 'pending', dueMs: nextSlot(now, this.deps.settings.hours) }) : undefined));
    if (back) await this.deps.store.audit({ action: 'outcome-missing', taskId: task.id, by: 'system', atMs: now, detail: agentId });
  }

  private async mine(agentId: string, taskId: string, states: readonly RevisitState[]): Promise<RevisitTask> {
    const task = await this.deps.store.get(taskId);
    if (!task) throw new RevisitError('not-found', `no revisit ${taskId}`);
    if (task.agentId !== agentId) throw new RevisitError('forbidden', `revisit ${taskId} is not yours`);
    if (!states.includes(task.state)) throw new RevisitError('conflict', `revisit ${taskId} is ${task.state}`);
    return task;
  }

  private cardOf(task: RevisitTask): RevisitCard {
    return { task, ...this.preview.status(task.id) };
  }

  private async push(agentId: string, taskId: string): Promise<void> {
    const task = await this.deps.store.get(taskId);
    if (task && task.agentId === agentId) this.deps.notify.card(agentId, this.cardOf(task));
  }

  private async attempted(taskId: string, agentId: string): Promise<void> {
    const now = this.deps.now();
    await this.deps.store.mutate(taskId, (t) => ({ ...t, attempts: t.attempts + 1, history: [...t.history, { agentId, atMs: now, reached: false }] }));
    await this.deps.store.count(this.deps.dayOf(now), { attempted: 1 });
  }

  private async reached(taskId: string, agentId: string, reached: boolean, cause?: string): Promise<void> {
    await this.deps.store.mutate(taskId, (t) => {
      const history = [...t.history];
      const last = history[history.length - 1];
      if (last?.agentId === agentId) history[history.length - 1] = { ...last, reached, ...(cause ? { cause } : {}) };
      return { ...t, history };
    });
    if (reached) await this.deps.store.count(this.deps.dayOf(this.deps.now()), { reached: 1 });
  }

  /** The agent's phone did not answer: the card is offered again (the agent is still reserved for it). */
  private async backToOffered(taskId: string, agentId: string): Promise<void> {
    await this.deps.store.mutate(taskId, (t) => (t.state === 'dialing' && t.agentId === agentId ? { ...t, state: 'offered', offeredMs: this.deps.now() } : undefined));
  }

  /** After the outcome: wrap-up over (or the reservation, if the call never connected); ready again. */
  private async releaseAgent(agentId: string, taskId: string): Promise<void> {
    const callId = revisitCallId(taskId);
    const a = await this.deps.agents.get(agentId);
    if (a?.callId !== callId) return;
    const ok =
      a.state === 'wrap-up' ? await this.deps.agents.apply(agentId, 'endWrapUp', callId)
      : a.state === 'reserved' ? await this.deps.agents.apply(agentId, 'cancelReservation', callId)
      : a.state === 'on-call' ? (await this.deps.agents.apply(agentId, 'endCall', callId)) && (await this.deps.agents.apply(agentId, 'endWrapUp', callId))
      : false;
    if (ok) this.deps.agents.becameReady(agentId);
  }
}

function withoutAgent(t: RevisitTask): RevisitTask {
  const { agentId: _a, offeredMs: _o, ...rest } = t;
  return rest as RevisitTask;
}
