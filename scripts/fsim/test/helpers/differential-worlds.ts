// The two worlds the differential test drives with the same scenarios: the real FreeSWITCH (SIPp
// peers, see sipp.ts) and fsim (simulated endpoints with the same behaviour). Both record every
// event over ESL (`event json ALL`) and run the same dialplan file.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFsim, type Fsim } from '../../src/fsim.ts';
import { eventsOf, parseMessagesFrom, type CapturedEvent } from './capture.ts';
import { EslTestClient, listenOnce } from './esl-test-client.ts';
import { freePort, INTERNAL_PASSWORD, INTERNAL_USERS, startRealSwitch, type RealSwitch } from './real-switch.ts';
import { agentScenario, callerScenario, registerScenario, runSipp, type AgentPeer, type CallerPeer, type SippRun } from './sipp.ts';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The agents the scenarios dial; each has its own SIP port on the real side. */
export const AGENTS = ['agent1', 'agent2', 'agent3', 'agent4', 'agent5', 'agent6'] as const;
export type AgentName = (typeof AGENTS)[number];
export type InternalAgent = (typeof INTERNAL_USERS)[number];

export interface World {
  readonly kind: 'real' | 'fsim';
  /** Place a call from `from` to extension `to`; resolves at once (the call runs on). */
  call(to: string, peer: CallerPeer, from?: string): void;
  /** The agent phone answers the switch's next INVITE as `peer` says; resolves when it listens. */
  agent(name: AgentName, peer: AgentPeer): Promise<void>;
  api(cmd: string): Promise<string>;
  /** An agent phone registered with digest auth on profile `internal` (as the project's agents are); `user/<name>` rings it. */
  internalAgent(name: InternalAgent, peer: AgentPeer): Promise<void>;
  /** The dial string of an agent phone. */
  dial(name: AgentName): string;
  /** Wait for an event recorded since the scenario started. */
  waitEvent(pred: (e: CapturedEvent) => boolean, timeoutMs?: number): Promise<CapturedEvent>;
  /** The outbound-socket listener port the dialplan's `socket` action connects to. */
  readonly socketPort: number;
  acceptSocket(timeoutMs?: number): Promise<EslTestClient>;
}

export interface WorldHandle {
  readonly world: World;
  /** Events recorded since `mark()`. */
  since(mark: number): CapturedEvent[];
  mark(): number;
  /** Wait until the legs seen since mark are all destroyed (and peers have exited). */
  settle(mark: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** The scenario dialplan, with this world's ports. */
export type DialplanOf = (ports: { agents: Record<AgentName, number>; socket: number }) => string;

function recorder(c: EslTestClient): { events(): CapturedEvent[] } {
  // Parsed incrementally: the stream grows while the test reads it.
  let parsed = 0;
  const out: CapturedEvent[] = [];
  return {
    events() {
      const { messages, end } = parseMessagesFrom(c.received, parsed);
      parsed = end;
      out.push(...eventsOf(messages));
      return out;
    },
  };
}

async function eslRecorder(port: number): Promise<{ client: EslTestClient; events(): CapturedEvent[]; api(cmd: string): Promise<string> }> {
  const client = await EslTestClient.connect(port);
  await client.command('auth ClueCon');
  await client.command('event json ALL');
  const rec = recorder(client);
  // A second connection for commands: the recording one only listens.
  const cmd = await EslTestClient.connect(port);
  await cmd.command('auth ClueCon');
  return {
    client,
    events: () => rec.events(),
    api: async (c: string) => (await cmd.command(`api ${c}`, 10000)).body ?? '',
  };
}

function handle(kind: 'real' | 'fsim', rec: Awaited<ReturnType<typeof eslRecorder>>, parts: {
  agentPorts: Record<AgentName, number>;
  call: World['call']; agent: World['agent']; internalAgent: World['internalAgent']; socketPort: number; acceptSocket: World['acceptSocket']; peersDone(): Promise<void>; close(): Promise<void>;
}): WorldHandle {
  let base = 0;
  const world: World = {
    kind,
    call: parts.call,
    agent: parts.agent,
    internalAgent: parts.internalAgent,
    api: rec.api,
    dial: (name) => `sofia/test/${name}@127.0.0.1:${parts.agentPorts[name]}`,
    socketPort: parts.socketPort,
    acceptSocket: parts.acceptSocket,
    async waitEvent(pred, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const e = rec.events().slice(base).find(pred);
        if (e) return e;
        if (Date.now() > until) throw new Error(`${kind}: no matching event within ${timeoutMs} ms`);
        await sleep(20);
      }
    },
  };
  return {
    world,
    mark: () => (base = rec.events().length),
    since: (m) => rec.events().slice(m),
    async settle(m, timeoutMs) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const evs = rec.events().slice(m);
        const legs = new Set(evs.filter((e) => e.name === 'CHANNEL_CREATE').map((e) => e.get('Unique-ID')));
        const gone = new Set(evs.filter((e) => e.name === 'CHANNEL_DESTROY').map((e) => e.get('Unique-ID')));
        if (legs.size && [...legs].every((u) => gone.has(u))) break;
        if (Date.now() > until) break;
        await sleep(50);
      }
      await Promise.race([parts.peersDone(), sleep(3000)]);
      await sleep(300);
    },
    close: parts.close,
  };
}

async function socketListener(): Promise<{ port: number; accept(timeoutMs?: number): Promise<EslTestClient>; close(): void }> {
  // A fresh one-connection listener per accept, always on the same port.
  let l = await listenOnce();
  return {
    port: l.port,
    async accept(timeoutMs) {
      const c = await l.accept(timeoutMs);
      const port = l.port;
      l.close();
      l = await listenOnceOn(port);
      return c;
    },
    close: () => l.close(),
  };
}

async function listenOnceOn(port: number): ReturnType<typeof listenOnce> {
  const { createServer } = await import('node:net');
  const server = createServer();
  const accepted = new Promise<EslTestClient>((resolve) => server.once('connection', (s) => resolve(new EslTestClient(s))));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    accept: (timeoutMs = 2000) =>
      Promise.race([accepted, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no connection')), timeoutMs).unref())]),
    close: () => server.close(),
  };
}

export async function realWorld(dialplan: DialplanOf): Promise<WorldHandle> {
  const sock = await socketListener();
  const agentPorts = {} as Record<AgentName, number>;
  for (const a of AGENTS) agentPorts[a] = await freePort();
  const fs: RealSwitch = await startRealSwitch(dialplan({ agents: agentPorts, socket: sock.port }));
  const rec = await eslRecorder(fs.eslPort);
  const peers = new Set<SippRun>();
  let mediaPort = 40000 + Math.floor(Math.random() * 100) * 40;
  const run = (xml: string, o: { port: number; remote?: string }): SippRun => {
    mediaPort += 4;
    const r = runSipp(xml, { ...o, mediaPort });
    peers.add(r);
    void r.done.then(() => peers.delete(r));
    return r;
  };
  return handle('real', rec, {
    agentPorts,
    call: (to, peer, from = 'sipp') => {
      void freePort().then((port) => run(callerScenario(to, from, peer), { port, remote: `127.0.0.1:${fs.sipPort}` }));
    },
    agent: async (name, peer) => {
      run(agentScenario(peer), { port: agentPorts[name] });
      await sleep(300); // SIPp binds its port a moment after it starts
    },
    internalAgent: async (name, peer) => {
      const port = await freePort();
      run(agentScenario(peer), { port });
      await sleep(300);
      const reg = run(registerScenario({ user: name, password: INTERNAL_PASSWORD, domain: '127.0.0.1', contactPort: port }), { port: await freePort(), remote: `127.0.0.1:${fs.internalSipPort}` });
      if ((await reg.done) !== 0) throw new Error(`${name} did not register on the internal profile`);
    },
    socketPort: sock.port,
    acceptSocket: (ms) => sock.accept(ms),
    peersDone: async () => {
      await Promise.all([...peers].map((p) => p.done));
    },
    async close() {
      for (const p of peers) p.kill();
      rec.client.close();
      sock.close();
      await fs.stop();
    },
  });
}

export async function fsimWorld(dialplan: DialplanOf): Promise<WorldHandle> {
  const sock = await socketListener();
  const agentPorts = {} as Record<AgentName, number>;
  AGENTS.forEach((a, i) => (agentPorts[a] = 5100 + i));
  const dir = mkdtempSync(path.join(tmpdir(), 'fsim-diff-dp-'));
  // The same file the real switch reads, included the way example-conf's freeswitch.xml does.
  writeFileSync(path.join(dir, 'differential.xml'), dialplan({ agents: agentPorts, socket: sock.port }));
  const file = path.join(dir, 'freeswitch.xml');
  writeFileSync(file, '<document type="freeswitch/xml">\n<section name="dialplan" description="XML dialplan">\n<X-PRE-PROCESS cmd="include" data="differential.xml"/>\n</section>\n</document>\n');
  const fsim: Fsim = await startFsim({
    esl: { port: 0, password: 'ClueCon' },
    control: false,
    dialplan: { files: [file] },
    switch: {
      heartbeatSec: 0, hostname: 'vm', domain: '127.0.0.1',
      profiles: [{ name: 'test', ip: '127.0.0.1', port: 25060, context: 'default', managePresence: false }, { name: 'internal', ip: '127.0.0.1', port: 25061, context: 'default', managePresence: false }],
    },
  });
  const rec = await eslRecorder(fsim.eslPort);
  const sw = fsim.sw;
  return handle('fsim', rec, {
    agentPorts,
    call: (to, peer, from = 'sipp') => {
      // Listen before placing: the call's first applications run synchronously inside placeCall.
      const uuid = randomUUID();
      const off = sw.onEvent((e) => {
        if (!e.headers.some(([k, v]) => k === 'Unique-ID' && v === uuid)) return;
        if (peer.byeAfterMs !== undefined && e.name === 'CHANNEL_ANSWER') setTimeout(() => sw.hangupCall(uuid), peer.byeAfterMs);
        if (peer.cancelAfterMs !== undefined && e.name === 'CHANNEL_PROGRESS') setTimeout(() => sw.hangupCall(uuid, 'ORIGINATOR_CANCEL'), peer.cancelAfterMs);
        if (e.name === 'CHANNEL_DESTROY') off();
      });
      sw.placeCall({ from, to, profile: 'test', uuid, ...(peer.acceptRefer && peer.referNotifyAfterMs !== undefined ? { referNotifyAfterMs: peer.referNotifyAfterMs } : {}) });
    },
    agent: async (name, peer) =>
      sw.registerUser(name, {
        answerAfterMs: peer.answerAfterMs ?? 500,
        ...(peer.byeAfterMs !== undefined ? { hangupAfterMs: peer.byeAfterMs } : {}),
        ...(peer.neverAnswer ? { neverAnswer: true } : {}),
        ...(peer.rejectCode === 486 ? { rejectCause: 'USER_BUSY' } : {}),
      }),
    internalAgent: async (name, peer) =>
      sw.registerUser(name, {
        answerAfterMs: peer.answerAfterMs ?? 500,
        ...(peer.byeAfterMs !== undefined ? { hangupAfterMs: peer.byeAfterMs } : {}),
      }, 'internal'),
    socketPort: sock.port,
    acceptSocket: (ms) => sock.accept(ms),
    peersDone: async () => undefined,
    async close() {
      rec.client.close();
      sock.close();
      await fsim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}
