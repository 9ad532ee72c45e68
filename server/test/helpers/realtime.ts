// Real socket.io-client connections to a service under test: log in over HTTP, connect to a
// namespace, wait for events, and mirror snapshot-then-deltas the way a client must.
import type { AddressInfo } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import type { Service } from '../../src/service.ts';
import type { AgentView, CallView, SlaView } from '../../src/realtime/events.ts';

export const DEMO_PASSWORD = 'demo12345';

export function baseUrl(service: Service): string {
  const { port } = service.app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export async function login(service: Service, username: string, password = DEMO_PASSWORD): Promise<string> {
  const res = await fetch(`${baseUrl(service)}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

type Teardown = { teardown(fn: () => unknown): void };

/** A socket that has not connected yet: listeners can be attached before the snapshot arrives. */
export function socketTo(t: Teardown, service: Service, namespace: string, token?: string): Socket {
  const socket = io(`${baseUrl(service)}${namespace}`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(token === undefined ? {} : { auth: { token } }),
  });
  t.teardown(() => void socket.disconnect());
  // Listen from the start: the connection may complete before the test asks for it.
  const outcome = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err: Error & { data?: { code?: string } }) => reject(Object.assign(new Error(err.message), { code: err.data?.code })));
  });
  outcome.catch(() => {});
  outcomes.set(socket, outcome);
  return socket;
}

const outcomes = new WeakMap<Socket, Promise<void>>();

/** Resolves on connect, rejects with the server's refusal (message and data.code). */
export function connected(socket: Socket): Promise<void> {
  return outcomes.get(socket) ?? Promise.reject(new Error('not a socketTo socket'));
}

export function waitFor<T = unknown>(socket: Socket, event: string, match: (payload: T) => boolean = () => true, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, on);
      reject(new Error(`timed out waiting for ${event}`));
    }, ms);
    const on = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event, on);
      resolve(payload);
    };
    socket.on(event, on);
  });
}

export interface Mirror {
  /** Every seq in arrival order, snapshot first. */
  readonly seqs: number[];
  /** Event names in arrival order. */
  readonly events: string[];
  agent: AgentView | null;
  readonly calls: Map<string, CallView>;
  readonly agents: Map<string, AgentView>;
  sla: SlaView | null;
}

/** Applies the snapshot, then every delta, as the protocol in events.ts asks. Attach before connecting. */
export function mirror(socket: Socket, namespace: '/agent' | '/dispatcher' | '/ops'): Mirror {
  const m: Mirror = { seqs: [], events: [], agent: null, calls: new Map(), agents: new Map(), sla: null };
  socket.onAny((event: string, payload: { seq: number } & Record<string, unknown>) => {
    m.events.push(event);
    m.seqs.push(payload.seq);
    switch (event) {
      case 'snapshot':
        m.calls.clear();
        m.agents.clear();
        for (const c of (payload.calls as CallView[] | undefined) ?? []) m.calls.set(c.id, c);
        for (const a of (payload.agents as AgentView[] | undefined) ?? []) m.agents.set(a.id, a);
        m.agent = (payload.agent as AgentView | null | undefined) ?? null;
        m.sla = (payload.sla as SlaView | null | undefined) ?? null;
        break;
      case 'call:update': {
        const c = payload.call as CallView;
        m.calls.set(c.id, c);
        break;
      }
      case 'call:removed':
        m.calls.delete(payload.callId as string);
        break;
      case 'agent:state': {
        const a = payload.agent as AgentView;
        if (namespace === '/agent') m.agent = a;
        else m.agents.set(a.id, a);
        break;
      }
      case 'sla:update':
        m.sla = payload.sla as SlaView;
        break;
    }
  });
  return m;
}

export const sortedCalls = (calls: Iterable<CallView>): CallView[] => [...calls].sort((a, b) => a.id.localeCompare(b.id));
