// Delivery for one namespace: a sequence number per delta, a snapshot first on every connection,
// and slow clients dropped instead of buffered without bound.
//
// Deltas go to each socket directly rather than through rooms so that a socket still waiting for
// its snapshot can hold them: the snapshot is built asynchronously (Redis reads), and a delta sent
// meanwhile must reach the client after the snapshot, not before it.
import type { Socket } from 'socket.io';
import type { Logger } from '../log.ts';

interface Client {
  readonly socket: Socket;
  /** Holds deltas until the snapshot is out; undefined once it is. */
  pending: { event: string; payload: { seq: number } }[] | undefined;
}

/** Bytes waiting to reach one client: engine.io's queue (packets not handed to ws yet) plus ws's own. */
export function bufferedBytes(socket: Socket): number {
  const conn = socket.conn as unknown as { writeBuffer?: { data?: unknown }[]; transport?: { socket?: { bufferedAmount?: number } } };
  let bytes = conn.transport?.socket?.bufferedAmount ?? 0;
  for (const p of conn.writeBuffer ?? []) {
    const d = p.data;
    bytes += typeof d === 'string' ? d.length : d instanceof Uint8Array ? d.byteLength : 0;
  }
  return bytes;
}

/**
 * Who gets a delta: every client a predicate accepts (it runs once per connected socket), or the
 * clients registered under any of `keys` (an index lookup; needs the Feed's `keyOf`).
 */
export type Audience = ((socket: Socket) => boolean) | { readonly keys: Iterable<string> };

export class Feed {
  private seq = 0;
  private readonly clients = new Map<string, Client>();
  /** Clients by keyOf(socket), for keyed sends: an agent's deltas need not visit every socket. */
  private readonly byKey = new Map<string, Set<Client>>();

  constructor(
    private readonly name: string,
    private readonly maxBufferedBytes: number,
    private readonly log: Logger,
    private readonly onDrop?: () => void,
    /** The key a socket is indexed under (e.g. its agentId); without it only predicate sends work. */
    private readonly keyOf?: (socket: Socket) => string | undefined,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /**
   * Register the socket at once (so no delta is missed), build its snapshot, send it, then the
   * deltas that came in meanwhile. `build` receives the seq the snapshot stands at: every change
   * with a lower seq is already in the state it reads.
   */
  async open<S extends { seq: number }>(socket: Socket, build: (seq: number) => Promise<S>): Promise<void> {
    const client: Client = { socket, pending: [] };
    this.add(client);
    socket.once('disconnect', () => this.remove(client));
    const snapshot = await build(this.seq);
    if (!socket.connected) return;
    this.deliver(client, 'snapshot', snapshot);
    const held = client.pending ?? [];
    client.pending = undefined;
    for (const d of held) if (d.payload.seq > snapshot.seq) this.deliver(client, d.event, d.payload);
  }

  /** One delta, numbered, to every client of the audience (default: all). */
  send<T extends object>(event: string, data: T, to: Audience = () => true): void {
    const payload = { seq: ++this.seq, ...data };
    if (typeof to === 'function') {
      for (const client of this.clients.values()) if (to(client.socket)) this.dispatch(client, event, payload);
      return;
    }
    if (!this.keyOf) throw new Error(`feed ${this.name}: keyed send without keyOf`);
    // A key named twice (an agent with two legs in one call) still gets the delta once.
    const keys = new Set(to.keys);
    for (const key of keys) for (const client of this.byKey.get(key) ?? []) this.dispatch(client, event, payload);
  }

  private dispatch(client: Client, event: string, payload: { seq: number }): void {
    if (client.pending) client.pending.push({ event, payload });
    else this.deliver(client, event, payload);
  }

  private add(client: Client): void {
    this.clients.set(client.socket.id, client);
    const key = this.keyOf?.(client.socket);
    if (key === undefined) return;
    let set = this.byKey.get(key);
    if (!set) this.byKey.set(key, (set = new Set()));
    set.add(client);
  }

  private remove(client: Client): void {
    if (this.clients.get(client.socket.id) === client) this.clients.delete(client.socket.id);
    const key = this.keyOf?.(client.socket);
    const set = key === undefined ? undefined : this.byKey.get(key);
    if (!set) return;
    set.delete(client);
    if (set.size === 0) this.byKey.delete(key!);
  }

  private deliver(client: Client, event: string, payload: { seq: number }): void {
    const { socket } = client;
    if (!socket.connected) return;
    const bytes = bufferedBytes(socket);
    if (bytes > this.maxBufferedBytes) {
      // Dropping costs the client one reconnect and a snapshot; keeping it costs memory without
      // bound and, through the event loop, time for every other client.
      this.log.warn({ namespace: this.name, socketId: socket.id, bufferedBytes: bytes, user: (socket.data as { username?: string }).username }, 'slow client dropped');
      this.remove(client);
      this.onDrop?.();
      const ws = (socket.conn as unknown as { transport?: { socket?: { terminate?: () => void } } }).transport?.socket;
      socket.disconnect(true);
      // engine.io closes politely, after the queue drains: a client that does not read would never
      // let it. Cut the TCP connection so the queue is freed now.
      ws?.terminate?.();
      return;
    }
    socket.emit(event, payload);
  }
}
