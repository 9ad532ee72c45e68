// Which state-bar buttons make sense in which agent state, mirroring the server's state machine
// (server/src/acd/agent-state.ts FROM table) so the agent is not offered a button that can only fail.
import type { AgentView, SetStatePayload } from '../../../server/src/realtime/events.ts';

export type AgentState = AgentView['state'];

export interface AllowedActions {
  ready: boolean;
  notReady: boolean;
  logout: boolean;
  extendWrapUp: boolean;
  /** Leaving the softphone is refused while a call rings or talks: the caller would be dropped. */
  signOut: boolean;
}

export function allowedActions(state: AgentState | undefined): AllowedActions {
  return {
    ready: state === 'logged-out' || state === 'not-ready',
    notReady: state === 'logged-out' || state === 'ready' || state === 'not-ready' || state === 'wrap-up',
    logout: state === 'ready' || state === 'not-ready' || state === 'wrap-up',
    extendWrapUp: state === 'wrap-up',
    signOut: state !== 'reserved' && state !== 'on-call',
  };
}

/**
 * The commands behind the ready button: from logged-out the server's `login` already lands in
 * ready, so the agent never needs a separate log-in step.
 */
export function readyCommands(state: AgentState | undefined): SetStatePayload[] {
  return state === 'logged-out' ? [{ action: 'login' }] : [{ action: 'ready' }];
}

/** Not ready from logged-out: log in first (which makes the agent ready), then go not ready at once. */
export function notReadyCommands(state: AgentState | undefined, reason: NonNullable<SetStatePayload['reason']>): SetStatePayload[] {
  const notReady: SetStatePayload = { action: 'not-ready', reason };
  return state === 'logged-out' ? [{ action: 'login' }, notReady] : [notReady];
}
