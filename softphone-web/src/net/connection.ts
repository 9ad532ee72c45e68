// The /agent Socket.IO connection: state events go to one callback as ServerEvents (the reducer's
// input), commands are promises of their ack. Socket.IO reconnects by itself after network drops;
// a server-side disconnect (slow client dropped, token ended) needs an explicit connect().
import { io, type Socket } from 'socket.io-client';
import type { AckError, AgentClientEvents, AgentNoticeEvent, AgentServerEvents } from '../../../server/src/realtime/events.ts';
import type { RevisitCard } from '../../../server/src/realtime/revisit-events.ts';
import { Retry } from '../state/backoff.ts';
import type { ServerEvent } from '../state/store.ts';

export type ConnStatus = 'connecting' | 'online' | 'reconnecting' | 'expired';

/** An ack's error, or a local failure (timeout, offline) given the same shape for the UI. */
export class CommandFailed extends Error {
  constructor(
    readonly code: AckError['code'] | 'timeout' | 'offline',
    message: string,
  ) {
    super(message);
  }
}

type Payload<E extends keyof AgentClientEvents> = Parameters<AgentClientEvents[E]>[0];
type AckOf<E extends keyof AgentClientEvents> = Parameters<Parameters<AgentClientEvents[E]>[1]>[0];
export type AckOk<E extends keyof AgentClientEvents> = Exclude<AckOf<E>, { error: AckError }>;

const COMMAND_TIMEOUT_MS = 10_000;
/** A transfer is answered when the target picks up or gives up: allow for the whole ring time. */
const TRANSFER_TIMEOUT_MS = 120_000;

export interface ConnectionHandlers {
  onEvent(ev: ServerEvent): void;
  onStatus(status: ConnStatus): void;
  /** A supervisor's message (not state: shown as it comes). */
  onNotice?(n: AgentNoticeEvent['notice']): void;
  /** My revisit card changed (pushed by the server; not part of the reducer's state). */
  onRevisit?(card: RevisitCard | null): void;
}

export class Connection {
  private readonly socket: Socket<AgentServerEvents, AgentClientEvents>;
  private readonly retry = new Retry(() => {
    if (!this.closed && !this.socket.connected) this.socket.connect();
  });
  private closed = false;
  private lastSeq: number | undefined;

  constructor(
    token: string,
    private readonly expiresAt: number,
    private readonly h: ConnectionHandlers,
  ) {
    this.socket = io(`${location.origin}/agent`, {
      transports: ['websocket'],
      // A function so every reconnect sends the last seq seen (informational for the server).
      auth: (cb) => cb(this.lastSeq === undefined ? { token } : { token, lastSeq: this.lastSeq }),
      reconnectionDelayMax: 10_000,
    });
    const s = this.socket;
    s.on('connect', () => {
      this.retry.succeeded();
      h.onStatus('online');
    });
    s.on('snapshot', (data) => this.deliver({ type: 'snapshot', data }, data.seq));
    s.on('call:update', (data) => this.deliver({ type: 'call:update', data }, data.seq));
    s.on('call:removed', (data) => this.deliver({ type: 'call:removed', data }, data.seq));
    s.on('agent:state', (data) => this.deliver({ type: 'agent:state', data }, data.seq));
    s.on('center:update', (data) => this.deliver({ type: 'center:update', data }, data.seq));
    s.on('agent:notice', (data) => h.onNotice?.(data.notice));
    s.on('revisit:update', (data) => {
      this.lastSeq = data.seq;
      h.onRevisit?.(data.card);
    });
    s.on('disconnect', (reason) => {
      h.onEvent({ type: 'disconnected' });
      if (this.closed) return;
      if (Date.now() >= this.expiresAt) return h.onStatus('expired');
      h.onStatus('reconnecting');
      // The server dropped us on purpose (slow consumer, token end): Socket.IO does not retry that.
      if (reason === 'io server disconnect') this.retry.schedule();
    });
    s.on('connect_error', (err) => {
      const code = (err as Error & { data?: { code?: string } }).data?.code;
      if (code === 'unauthorized' || code === 'forbidden') {
        this.closed = true;
        return h.onStatus('expired');
      }
      h.onStatus('reconnecting');
      // Middleware refusals stop Socket.IO's own retries; network errors do not.
      if (!s.active) this.retry.schedule();
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  close(): void {
    this.closed = true;
    this.retry.cancel();
    this.socket.disconnect();
  }

  /** Send a command; resolves with the ok ack, rejects with CommandFailed. */
  async send<E extends keyof AgentClientEvents>(event: E, payload: Payload<E>): Promise<AckOk<E>> {
    if (!this.socket.connected) throw new CommandFailed('offline', 'not connected');
    // Transfers and three-ways answer once the other party has answered (or not).
    const timeout = event === 'call:transfer' || event === 'call:three-way' || event === 'call:consult' ? TRANSFER_TIMEOUT_MS : COMMAND_TIMEOUT_MS;
    let ack: AckOf<E>;
    try {
      // The typed emitWithAck cannot follow a generic event name; the contract types the result.
      const timed = this.socket.timeout(timeout);
      const emit = timed.emitWithAck.bind(timed) as unknown as (ev: E, p: Payload<E>) => Promise<AckOf<E>>;
      ack = await emit(event, payload);
    } catch {
      throw new CommandFailed('timeout', `${event}: no answer within ${timeout / 1000} s`);
    }
    if ('error' in ack) throw new CommandFailed(ack.error.code, ack.error.message);
    return ack as AckOk<E>;
  }

  private deliver(ev: ServerEvent, seq: number): void {
    this.lastSeq = seq;
    this.h.onEvent(ev);
  }

}
