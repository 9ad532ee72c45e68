// Child process of `npm run bench -- push`: the agents' softphones. Opens one socket.io-client
// connection per agent to the service's /agent namespace (websocket transport, as the softphone),
// and stamps every `call:update` with process.hrtime (CLOCK_MONOTONIC, comparable with the
// sender's stamps in the parent on the same host). It runs apart from the sender and from the
// service so that neither the clients' parsing nor the sender's timers share an event loop with
// what is measured.
//
// IPC: parent -> { type: 'connect', url, agents: [{ id, token }] } -> { type: 'ready', ... }
//      parent -> { type: 'count' } -> { type: 'count', delivered }
//      parent -> { type: 'collect' } -> { type: 'result', ... }, then the child disconnects and exits.
import { io, type Socket } from 'socket.io-client';

export interface ClientsConnect {
  type: 'connect';
  url: string;
  agents: { id: string; token: string }[];
  /** Connections opened at once. */
  batch: number;
}

export interface ClientsResult {
  type: 'result';
  /** Per agent (in the order given): receive time (ms, hrtime) of every call:update, in arrival order. */
  recv: number[][];
  /** call:removed received (not timed: they follow the call:update of the same event). */
  removed: number;
  /** call:update whose new agent leg named a different event index than its arrival position (see push.ts). */
  misaligned: number;
  /** Checked positions (first sight of each bench agent leg). */
  checked: number;
  /** Deltas whose seq was not above the previous one on that socket. */
  seqErrors: number;
  disconnects: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  rssMb: number;
}

interface LegLike {
  uuid: string;
  role: string;
  agentId?: string;
  target?: string;
}

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

const sockets: Socket[] = [];
let recv: number[][] = [];
let removed = 0;
let misaligned = 0;
let checked = 0;
let seqErrors = 0;
let disconnects = 0;
let delivered = 0;
let cpuStart = process.cpuUsage();

function open(url: string, agentId: string, token: string, index: number): Promise<void> {
  const times: number[] = [];
  recv[index] = times;
  const seen = new Set<string>();
  let lastSeq = -1;
  const socket = io(`${url}/agent`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
  sockets.push(socket);
  socket.on('call:update', (p: { seq: number; call: { legs: LegLike[] } }) => {
    times.push(nowMs());
    delivered++;
    if (p.seq <= lastSeq) seqErrors++;
    lastSeq = p.seq;
    // The parent names each agent leg `bench-<k>` (its create event is the k-th delivery to this agent).
    for (const l of p.call.legs) {
      if (l.role !== 'agent' || l.agentId !== agentId || !l.target?.startsWith('bench-') || seen.has(l.uuid)) continue;
      seen.add(l.uuid);
      checked++;
      if (Number(l.target.slice(6)) !== times.length - 1) misaligned++;
    }
  });
  socket.on('call:removed', (p: { seq: number }) => {
    removed++;
    if (p.seq <= lastSeq) seqErrors++;
    lastSeq = p.seq;
  });
  socket.on('agent:state', (p: { seq: number }) => {
    if (p.seq <= lastSeq) seqErrors++;
    lastSeq = p.seq;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent ${agentId}: no snapshot within 30 s`)), 30_000);
    socket.once('snapshot', (s: { seq: number }) => {
      lastSeq = s.seq;
      clearTimeout(timer);
      socket.on('disconnect', () => void disconnects++);
      resolve();
    });
    socket.once('connect_error', (err: Error) => {
      clearTimeout(timer);
      reject(new Error(`agent ${agentId}: ${err.message}`));
    });
  });
}

const send = (m: unknown): void => void process.send?.(m);

process.on('message', (m: { type: string } & Partial<ClientsConnect>) => {
  void (async () => {
    try {
      if (m.type === 'connect') {
        const agents = m.agents ?? [];
        recv = new Array<number[]>(agents.length);
        const t0 = performance.now();
        const batch = m.batch ?? 50;
        for (let i = 0; i < agents.length; i += batch)
          await Promise.all(agents.slice(i, i + batch).map((a, j) => open(m.url!, a.id, a.token, i + j)));
        cpuStart = process.cpuUsage();
        send({ type: 'ready', connectMs: performance.now() - t0, rssMb: process.memoryUsage().rss / 1048576 });
      } else if (m.type === 'count') {
        send({ type: 'count', delivered });
      } else if (m.type === 'collect') {
        const cpu = process.cpuUsage(cpuStart);
        const result: ClientsResult = {
          type: 'result',
          recv,
          removed,
          misaligned,
          checked,
          seqErrors,
          disconnects,
          cpuUserMs: cpu.user / 1000,
          cpuSystemMs: cpu.system / 1000,
          rssMb: process.memoryUsage().rss / 1048576,
        };
        for (const s of sockets) s.disconnect();
        // Disconnect only once the (large) result is out: the parent reads it before the exit.
        process.send?.(result, () => process.disconnect?.());
      }
    } catch (e) {
      send({ type: 'fatal', error: e instanceof Error ? e.message : String(e) });
    }
  })();
});
send({ type: 'up' });
