// What the ACD does with an agent's leg as the switch reports it: an answer is timed (the queue's
// pace for estimated-wait announcements) and reported; the first hang-up of an answered leg ends
// the agent's call (wrap-up follows).
import type { AgentRecord } from '../acd/agent-state.ts';
import type { AgentPort } from '../acd/ports.ts';
import type { SwitchEvent } from '../calls/switch-events.ts';
import type { AcdDeps } from './types.ts';

/** The last answers per queue (ms), for the estimated wait. */
export class AnswerPace {
  private readonly answers = new Map<string, number[]>();

  add(queue: string, atMs: number): void {
    const times = this.answers.get(queue) ?? [];
    times.push(atMs);
    this.answers.set(queue, times.slice(-20));
  }

  /** Mean seconds between answers over the last 20, or undefined with fewer than two. */
  secondsPerAnswer(queue: string): number | undefined {
    const t = this.answers.get(queue) ?? [];
    return t.length >= 2 ? (t[t.length - 1]! - t[0]!) / 1000 / (t.length - 1) : undefined;
  }
}

const isHangup = (ev: SwitchEvent): boolean => ev.type === 'channel-hangup' || ev.type === 'channel-hangup-complete';

export interface AgentLegHooks {
  /** `known`: the agent's record as just written (else it is read). */
  readonly becameReady: (agentId: string, known?: Readonly<AgentRecord>) => void;
  /** The agent may take a call again (no wrap-up), since `atMs` (now()) / `tsUs` (switch). */
  readonly freed: (agentId: string, atMs: number, tsUs: number) => void;
  /** The agent's wrap-up began now (its leg hung up at `tsUs`, switch clock) and lasts the configured time. */
  readonly wrapUpStarted: (agentId: string, tsUs: number) => void;
}

export function agentLegHandler(deps: AcdDeps, agentPort: AgentPort, pace: AnswerPace, hooks: AgentLegHooks): (ev: SwitchEvent) => void {
  const now = deps.now ?? Date.now;
  return (ev) => {
    const call = deps.registry.byLeg(ev.uuid);
    const leg = call?.legs.find((l) => l.uuid === ev.uuid);
    if (!call || leg?.role !== 'agent' || !leg.agentId) return;
    const agentId = leg.agentId;
    const firstAnswer = ev.type === 'channel-answer' && leg.answeredUs === undefined;
    if (firstAnswer || (isHangup(ev) && leg.endedUs === undefined)) deps.onAgentLeg?.(call, leg, ev);
    if (firstAnswer) {
      pace.add(call.queue ?? '', ev.tsUs / 1000);
      deps.onAgentAnswered?.(call, ev.tsUs);
    }
    // The first of CHANNEL_HANGUP / _COMPLETE ends the agent's call: once every leg has hung up the
    // registry completes the call and a later event no longer finds it.
    if (isHangup(ev) && leg.answeredUs !== undefined && leg.endedUs === undefined) {
      const receivedMs = now();
      // A callback's agent was reserved for the queued call it calls back.
      void agentPort.endCall(agentId, call.callbackOf ?? call.id).then((agent) => {
        if (!agent) return;
        if (deps.settings.wrapUpSec > 0) return hooks.wrapUpStarted(agentId, ev.tsUs);
        // Wrap-up of 0 s sends the agent straight back to ready: routed on the record just written
        // (a read back would be one more Redis round trip between the hang-up and the next offer).
        hooks.freed(agentId, receivedMs, ev.tsUs);
        hooks.becameReady(agentId, agent);
      });
    }
  };
}
