// `route`'s switch: originateInBackground stamps the decision ("originate sent"), answers after a
// 0.3-1.2 s ring; bridge starts a 2-5 s talk, after which the harness ends the call.
import { randomUUID } from 'node:crypto';
import type { SwitchPort } from '../../../server/src/acd/ports.ts';

export interface FakeSwitchHooks {
  /** Called synchronously when the router sends an originate: the end of a decision. */
  onOriginate(callId: string, agentId: string): void;
  /** Runs fn after ms (on a timer the harness can clear). */
  later(ms: number, fn: () => void): void;
  /** A seeded uniform draw in [a, b). */
  uniform(a: number, b: number): number;
  /** The talk is over. */
  endCall(agentId: string, callId: string): void;
}

export function fakeSwitch(h: FakeSwitchHooks): SwitchPort {
  const agentOfLeg = new Map<string, string>();
  return {
    originateInBackground(o) {
      const callId = o.vars?.hotline_call_id ?? '';
      const agentId = o.vars?.hotline_agent_id ?? '';
      h.onOriginate(callId, agentId);
      const leg = o.uuid ?? randomUUID();
      agentOfLeg.set(leg, agentId);
      return new Promise((resolve) => h.later(h.uniform(300, 1200), () => resolve(leg)));
    },
    async bridge(callId, leg) {
      const agentId = agentOfLeg.get(leg);
      agentOfLeg.delete(leg);
      if (agentId) h.later(h.uniform(2000, 5000), () => h.endCall(agentId, callId));
    },
    kill: async () => {},
    transfer: async () => {},
    broadcast: async () => {},
    setVar: async () => {},
  };
}
