// The /dispatcher Socket.IO connection: the snapshot replaces every handoff held, `handoff:update`
// deltas replace one. The server sends a dispatcher only its partners' handoffs. Socket.IO
// reconnects by itself and each reconnect brings a fresh snapshot, so nothing is polled.
import { io, type Socket } from 'socket.io-client';
import type { Handoff } from '../../../server/src/handoff/handoff.ts';
import type { DispatcherServerEvents, DispatcherSnapshot, HandoffUpdate } from '../../../server/src/realtime/events.ts';

export type DispatcherStatus = 'connecting' | 'online' | 'reconnecting' | 'expired';

export interface DispatcherState {
  handoffs: Map<string, Handoff>;
  snapshots: number;
  seq: number;
}

/** Apply one server event (pure apart from mutating `s`). */
export function applyDispatcher(s: DispatcherState, event: string, payload: unknown): boolean {
  if (event === 'snapshot') {
    const snap = payload as DispatcherSnapshot;
    s.handoffs = new Map(snap.handoffs.map((h) => [h.id, h]));
    s.snapshots++;
    s.seq = snap.seq;
    return true;
  }
  if (event === 'handoff:update') {
    const { handoff, seq } = payload as HandoffUpdate;
    s.handoffs.set(handoff.id, handoff);
    s.seq = seq;
    return true;
  }
  // Call deltas: the console follows handoffs, which carry what it shows.
  return false;
}

export class DispatcherConnection {
  readonly state: DispatcherState = { handoffs: new Map(), snapshots: 0, seq: 0 };
  private readonly socket: Socket<DispatcherServerEvents>;
  private closed = false;

  constructor(token: string, onChange: () => void, onStatus: (s: DispatcherStatus) => void) {
    this.socket = io(`${location.origin}/dispatcher`, { transports: ['websocket'], auth: { token }, reconnectionDelayMax: 10_000 });
    const s = this.socket;
    s.onAny((event: string, payload: unknown) => {
      if (applyDispatcher(this.state, event, payload)) onChange();
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

  close(): void {
    this.closed = true;
    this.socket.disconnect();
  }
}
