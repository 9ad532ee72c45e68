// Small builders for contract records, so each test states only what it is about.
import type { AgentView, CallView, LegView } from '../../server/src/realtime/events.ts';

export const T0 = 1_700_000_000_000;
export const ME = '1001';

export function agent(over: Partial<AgentView> = {}): AgentView {
  return { id: ME, name: 'Li Lei', state: 'ready', since: T0, skills: { general: 7 }, ...over };
}

export function leg(over: Partial<LegView> = {}): LegView {
  return { uuid: 'leg-a', role: 'agent', agentId: ME, purpose: 'offer', ...over };
}

export function call(id: string, over: Partial<CallView> = {}): CallView {
  return {
    id,
    line: 'main',
    state: 'offering',
    callerNumber: '13800138000',
    callerName: '',
    destination: '12345',
    createdMs: T0,
    queuedMs: T0 + 1000,
    queue: 'general',
    held: false,
    legs: [{ uuid: `${id}-caller`, role: 'caller' }],
    ivrPath: [],
    flags: [],
    ...over,
  };
}
