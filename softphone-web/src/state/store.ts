// The softphone's view of the server: one pure reducer over the /agent namespace's events.
// Kept DOM-free so the rules (a snapshot replaces everything, stale deltas are dropped) are tested in Node.
import type { AgentSnapshot, AgentStateUpdate, AgentView, CallRemoved, CallUpdate, CallView, CenterFigures, CenterUpdate } from '../../../server/src/realtime/events.ts';

export interface SoftphoneState {
  /** False until the first snapshot of the current connection: deltas before it are meaningless. */
  readonly synced: boolean;
  readonly seq: number;
  readonly agent: AgentView | null;
  readonly calls: Readonly<Record<string, CallView>>;
  /**
   * Calls the server has removed, newest first, kept briefly: the wrap-up form still names the
   * caller after the call is gone from the server's state.
   */
  readonly recent: readonly CallView[];
  /** The center's rolling 15-second rate (null: the service does not measure it, or not yet). */
  readonly center: CenterFigures | null;
}

export type ServerEvent =
  | { type: 'snapshot'; data: AgentSnapshot }
  | { type: 'call:update'; data: CallUpdate }
  | { type: 'call:removed'; data: CallRemoved }
  | { type: 'agent:state'; data: AgentStateUpdate }
  | { type: 'center:update'; data: CenterUpdate }
  /** The connection dropped: the next snapshot is authoritative, and deltas until then are not. */
  | { type: 'disconnected' };

const RECENT_MAX = 5;

export const initialState: SoftphoneState = { synced: false, seq: -1, agent: null, calls: {}, recent: [], center: null };

function remember(recent: readonly CallView[], call: CallView | undefined): readonly CallView[] {
  if (!call) return recent;
  return [call, ...recent.filter((c) => c.id !== call.id)].slice(0, RECENT_MAX);
}

export function reduce(state: SoftphoneState, ev: ServerEvent): SoftphoneState {
  switch (ev.type) {
    case 'snapshot': {
      // seq counts per connection, so a reconnect's snapshot may carry a smaller seq than the
      // last delta seen: it always wins and replaces every call we held (no replay exists).
      const calls: Record<string, CallView> = {};
      for (const c of ev.data.calls) calls[c.id] = c;
      // Calls that vanished while we were away still matter to a pending wrap-up form.
      let recent = state.recent;
      for (const old of Object.values(state.calls)) if (!calls[old.id]) recent = remember(recent, old);
      return { synced: true, seq: ev.data.seq, agent: ev.data.agent, calls, recent, center: ev.data.center ?? null };
    }
    case 'disconnected':
      return { ...state, synced: false };
    default:
      break;
  }
  // A delta older than what we hold (or from before the snapshot) changes nothing: deltas carry
  // whole records, so the newer one already has everything.
  if (!state.synced || ev.data.seq <= state.seq) return state;
  const seq = ev.data.seq;
  switch (ev.type) {
    case 'call:update':
      return { ...state, seq, calls: { ...state.calls, [ev.data.call.id]: ev.data.call } };
    case 'call:removed': {
      const { [ev.data.callId]: gone, ...calls } = state.calls;
      return { ...state, seq, calls, recent: remember(state.recent, gone) };
    }
    case 'agent:state':
      return { ...state, seq, agent: ev.data.agent };
    case 'center:update':
      return { ...state, seq, center: ev.data.center };
  }
}

/** A call by id, live or recently removed. */
export function findCall(state: SoftphoneState, callId: string): CallView | undefined {
  return state.calls[callId] ?? state.recent.find((c) => c.id === callId);
}
