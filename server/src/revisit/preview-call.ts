// The preview call itself, as the ACD's callback does it (acd/callback.ts) but agent first: the
// agent clicked 回拨, so the agent's phone rings first; once answered the agent is on-call (the
// ACD offers nothing more) and the citizen is rung through the carrier; on answer the two legs are
// bridged. Either side hanging up ends the other and puts the agent in wrap-up, where the outcome
// form waits. Calls are followed by the instance that started them (in memory, like the router's
// offers); the task record in Redis is what survives a restart.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CallPhase, RevisitAgents, RevisitSwitch } from './ports.ts';
import { revisitCallId, type RevisitTask } from './task.ts';

export interface PreviewSettings {
  /** How long the agent's phone rings. */
  readonly agentRingSec: number;
  /** How long the citizen's phone rings. */
  readonly citizenRingSec: number;
  /** The number the citizen sees (the hotline). */
  readonly callerIdNumber: string;
}

export interface PreviewDeps {
  readonly sw: RevisitSwitch;
  readonly agents: RevisitAgents;
  readonly settings: PreviewSettings;
  readonly citizenDialstring: (number: string) => string;
  readonly logger: Logger;
  /** The citizen is being rung: one attempt more. */
  attempted(taskId: string, agentId: string): Promise<void>;
  /** The citizen answered (reached) or not (cause). */
  reached(taskId: string, agentId: string, reached: boolean, cause?: string): Promise<void>;
  /** The phase changed: tell the agent. */
  changed(taskId: string, agentId: string): void;
  /** The agent's own phone did not answer: the card is offered again. */
  agentNoAnswer(taskId: string, agentId: string): Promise<void>;
}

interface Live {
  readonly taskId: string;
  readonly agentId: string;
  readonly agentLeg: string;
  citizenLeg?: string;
  phase: CallPhase;
  /** The agent went on-call (so the end puts it in wrap-up). */
  connected: boolean;
  cause?: string;
}

export class PreviewCall {
  private readonly calls = new Map<string, Live>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: PreviewDeps) {}

  /** Start ringing the agent; returns the agent leg's uuid at once. */
  start(task: RevisitTask, agentId: string, phone: string): string {
    const live: Live = { taskId: task.id, agentId, agentLeg: randomUUID(), phase: 'ringing-agent', connected: false };
    this.calls.set(task.id, live);
    this.track(this.run(live, task, phone));
    return live.agentLeg;
  }

  status(taskId: string): { phase?: CallPhase; agentLeg?: string; cause?: string } {
    const c = this.calls.get(taskId);
    return c ? { phase: c.phase, agentLeg: c.agentLeg, ...(c.cause ? { cause: c.cause } : {}) } : {};
  }

  taskOf(agentId: string): string | undefined {
    return [...this.calls.values()].find((c) => c.agentId === agentId)?.taskId;
  }

  inProgress(taskId: string): boolean {
    const c = this.calls.get(taskId);
    return c !== undefined && c.phase !== 'ended';
  }

  forget(taskId: string): void {
    this.calls.delete(taskId);
  }

  async hangup(taskId: string): Promise<void> {
    const c = this.calls.get(taskId);
    if (!c || c.phase === 'ended') return;
    await this.end(c, 'NORMAL_CLEARING');
  }

  /** A leg hung up (switch event). */
  legEnded(uuid: string, cause?: string): void {
    for (const c of this.calls.values()) {
      if (c.phase === 'ended' || (c.agentLeg !== uuid && c.citizenLeg !== uuid)) continue;
      // Before the answer, the originate's own failure reports it (with its cause).
      if (c.phase === 'ringing-agent' || (c.phase === 'ringing-citizen' && uuid === c.citizenLeg)) return;
      this.track(this.end(c, cause ?? 'NORMAL_CLEARING'));
    }
  }

  async idle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private track(p: Promise<void>): void {
    const q = p.catch((err: unknown) => this.deps.logger.error({ err }, 'revisit call failed')).finally(() => this.pending.delete(q));
    this.pending.add(q);
  }

  private async run(c: Live, task: RevisitTask, phone: string): Promise<void> {
    const { sw, settings, agents } = this.deps;
    const log = this.deps.logger.child({ taskId: c.taskId, agentId: c.agentId });
    const callId = revisitCallId(c.taskId);
    try {
      await sw.originateInBackground(
        {
          dialstring: phone,
          uuid: c.agentLeg,
          timeoutSec: settings.agentRingSec,
          // The agent's phone shows the citizen's number: the agent is about to talk to them.
          vars: { hotline_leg_role: 'revisit-agent', hotline_agent_id: c.agentId, hotline_revisit_id: c.taskId, origination_caller_id_number: task.number },
          then: { app: 'park' },
        },
        (settings.agentRingSec + 5) * 1000,
      );
    } catch (err) {
      const reason = (err as Error).message;
      log.info({ reason }, 'revisit: the agent\'s phone did not answer');
      c.phase = 'ended';
      c.cause = 'AGENT_NO_ANSWER';
      this.calls.delete(c.taskId);
      await this.deps.agentNoAnswer(c.taskId, c.agentId);
      this.deps.changed(c.taskId, c.agentId);
      return;
    }
    if (c.phase === 'ended') return;
    c.connected = await agents.apply(c.agentId, 'connect', callId);
    let dialstring: string;
    try {
      dialstring = this.deps.citizenDialstring(task.number);
    } catch (err) {
      log.warn({ reason: (err as Error).message }, 'revisit: the number cannot be dialled');
      await this.end(c, 'INVALID_NUMBER_FORMAT');
      return;
    }
    c.citizenLeg = randomUUID();
    c.phase = 'ringing-citizen';
    this.deps.changed(c.taskId, c.agentId);
    await this.deps.attempted(c.taskId, c.agentId);
    try {
      await sw.originateInBackground(
        {
          dialstring,
          uuid: c.citizenLeg,
          timeoutSec: settings.citizenRingSec,
          vars: { hotline_leg_role: 'revisit-citizen', hotline_revisit_id: c.taskId, origination_caller_id_number: settings.callerIdNumber },
          then: { app: 'park' },
        },
        (settings.citizenRingSec + 5) * 1000,
      );
    } catch (err) {
      const cause = causeOf(err);
      log.info({ cause }, 'revisit: citizen not reached');
      await this.deps.reached(c.taskId, c.agentId, false, cause);
      await this.end(c, cause);
      return;
    }
    // The agent may have hung up while the citizen's phone rang (phase changed under the await).
    if ((c.phase as CallPhase) === 'ended') {
      await sw.kill(c.citizenLeg).catch(() => undefined);
      return;
    }
    await sw.bridge(c.citizenLeg, c.agentLeg);
    c.phase = 'talking';
    await this.deps.reached(c.taskId, c.agentId, true);
    this.deps.changed(c.taskId, c.agentId);
    log.info('revisit call connected');
  }

  /** Hang up whatever is still up; the agent goes to wrap-up (outcome form). Once per call. */
  private async end(c: Live, cause: string): Promise<void> {
    if (c.phase === 'ended') return;
    const wasTalking = c.phase === 'talking';
    c.phase = 'ended';
    if (!wasTalking || cause !== 'NORMAL_CLEARING') c.cause ??= cause;
    for (const leg of [c.agentLeg, c.citizenLeg]) if (leg) await this.deps.sw.kill(leg).catch(() => undefined);
    if (c.connected) await this.deps.agents.apply(c.agentId, 'endCall', revisitCallId(c.taskId));
    this.deps.changed(c.taskId, c.agentId);
  }
}

/** The hangup cause from a failed originate's message (`-ERR NO_ANSWER`, `NO_ANSWER`...). */
function causeOf(err: unknown): string {
  const m = /([A-Z][A-Z_]{3,})/.exec((err as Error).message ?? '');
  return m?.[1] ?? 'UNKNOWN';
}
