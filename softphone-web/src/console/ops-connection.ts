// The /ops Socket.IO connection of the wallboard and the supervisor console: the snapshot replaces
// everything held, deltas update it, and every change is handed to one callback. Socket.IO
// reconnects by itself; each reconnect brings a fresh snapshot (events.ts protocol), so nothing
// is polled and nothing is lost across a reconnect.
import { io, type Socket } from 'socket.io-client';
import type { AgentView, CallView, OpsServerEvents, OpsSnapshot, QueueView } from '../../../server/src/realtime/events.ts';
import type { BoardView } from '../../../server/src/realtime/ops-events.ts';

export type OpsStatus = 'connecting' | 'online' | 'reconnecting' | 'expired';

export interface OpsState {
  calls: Map<string, CallView>;
  agents: Map<string, AgentView>;
  queues: QueueView[];
  board: BoardView | null;
  /** Snapshots received so far (1 on the first connection; more after reconnects). */
  snapshots: number;
  seq: number;
}

export function emptyOpsState(): OpsState {
  return { calls: new Map(), agents: new Map(), queues: [], board: null, snapshots: 0, seq: 0 };
}

/** Apply one server event to the state (pure apart from mutating `s`). */
export function applyOps(s: OpsState, event: string, payload: unknown): void {
  switch (event) {
    case 'snapshot': {
      const snap = payload as OpsSnapshot;
      s.calls = new Map(snap.calls.map((c) => [c.id, c]));
      s.agents = new Map(snap.agents.map((a) => [a.id, a]));
      s.queues = snap.queues;
      s.board = snap.board;
      s.snapshots++;
      s.seq = snap.seq;
      return;
    }
    case 'call:update': {
      const { call, seq } = payload as { call: CallView; seq: number };
      if (call.state === 'ended') s.calls.delete(call.id);
      else s.calls.set(call.id, call);
      s.seq = seq;
      return;
    }
    case 'call:removed': {
      const { callId, seq } = payload as { callId: string; seq: number };
      s.calls.delete(callId);
      s.seq = seq;
      return;
    }
    case 'agent:state': {
      const { agent, seq } = payload as { agent: AgentView; seq: number };
      s.agents.set(agent.id, agent);
      s.seq = seq;
      return;
    }
    case 'board:update': {
      const { board, seq } = payload as { board: BoardView; seq: number };
      s.board = board;
      s.seq = seq;
      return;
    }
  }
}

export class OpsConnection {
  readonly state = emptyOpsState();
  private readonly socket: Socket<OpsServerEvents>;
  private closed = false;

  constructor(token: string, onChange: () => void, onStatus: (s: OpsStatus) => void) {
    this.socket = io(`${location.origin}/ops`, { transports: ['websocket'], auth: { token }, reconnectionDelayMax: 10_000 });
    const s = this.socket;
    s.onAny((event: string, payload: unknown) => {
      applyOps(this.state, event, payload);
      onChange();
    });
    s.on('connect', () => onStatus('online'));
    s.on('disconnect', (reason) => {
      if (this.closed) return;
      onStatus('reconnecting');
      // A server-side disconnect (slow client dropped) is not retried by Socket.IO itself.
      if (reason === 'io server disconnect') setTimeout(() => !this.closed && s.connect(), 1000);
    });
    s.on('connect_error', (err) => {
      const code = (err as Error & { data?: { code?: string } }).data?.code;
      if (code === 'unauthorized' || code === 'forbidden') {
        this.closed = true;
        return onStatus('expired');
      }
      onStatus('reconnecting');
      if (!s.active) setTimeout(() => !this.closed && s.connect(), 2000);
    });
  }

  /** For the supervisor console's commands later on: the raw socket. */
  get io(): Socket<OpsServerEvents> {
    return this.socket;
  }

  close(): void {
    this.closed = true;
    this.socket.disconnect();
  }
}
