// Benchmark `push`: how long from FreeSWITCH writing an ESL event to the agent's softphone
// receiving the Socket.IO `call:update` it causes, with 500 agents connected and 2,000 events/s.
// Target (issue): p99 <= 20 ms.
//
// Design:
// - Real parts: a redis-server of its own (scripts/lib/test-redis.ts), the service as a child
//   process (`node --import tsx server/src/server.ts`, configured through HOTLINE_* as in
//   production, so its RSS and CPU are its own), 500 agents created and logged in with the real
//   AgentStore, and 500 socket.io-client connections to /agent (websocket) in a second child
//   process (push-clients.ts) with JWTs minted with the service's configured secret.
// - The switch is scripts/bench/mini-esl-server.ts driven by a bench SwitchFacade: the service
//   connects to it over TCP, authenticates and subscribes with `event json ...` as it would to
//   FreeSWITCH, and the bench fires events at a fixed rate (open loop: no flow control, so a
//   server that falls behind shows as latency). Events are the capture-derived ~7 KB / 180-header
//   CHANNEL_* events of events.ts with the headers the service reads rewritten (--event-bytes 0:
//   only those headers).
// - Calls: one call slot per agent, each cycling through a call the agent takes: caller leg
//   CHANNEL_CREATE (no agent leg yet: reaches no agent), agent leg CHANNEL_CREATE (hotline_call_id,
//   hotline_leg_role=agent, hotline_agent_id), CHANNEL_ANSWER, CHANNEL_BRIDGE, --holds pairs of
//   CHANNEL_HOLD / CHANNEL_UNHOLD, agent leg CHANNEL_HANGUP_COMPLETE, caller leg
//   CHANNEL_HANGUP_COMPLETE (call:update, then call:removed). Event i goes to slot i mod agents, so
//   each agent gets rate/agents events per second; slots start staggered through the cycle.
// - Latency: every event after the caller leg's CREATE causes exactly one `call:update` on its
//   agent's socket, and one TCP stream, one registry and one socket keep their order, so the k-th
//   call:update an agent receives is the k-th such event sent for it. The parent stamps
//   process.hrtime just before the event is written; the client stamps it when socket.io-client
//   hands over the call:update (CLOCK_MONOTONIC, comparable across processes on one host). The
//   pairing is checked: each agent leg's target is `bench-<k>`, and the client counts any leg
//   first seen at another position (`misaligned`, expected 0).
// - Phases: stagger (slots enter the cycle at different steps), warm-up (--warmup-s), then the
//   measured --seconds; only events sent in the measured phase count. After the last event the
//   bench waits for deliveries to stop.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createAgentMachine } from '../../server/src/acd/agent-state.ts';
import { tokenSigner } from '../../server/src/auth/tokens.ts';
import { AgentStore } from '../../server/src/store/agent-store.ts';
import { redisKeys } from '../../server/src/store/keys.ts';
import { startTestRedis } from '../lib/test-redis.ts';
import type { EventListener, FsEvent, Header, SwitchFacade } from '../fsim/src/types.ts';
import { loadTemplates } from './events.ts';
import { startMiniInboundServer } from './mini-esl-server.ts';
import type { ClientsConnect, ClientsResult } from './push-clients.ts';

export const description =
  'ESL event -> Socket.IO call:update latency: the service (child process, real Redis) with 500 /agent clients at 2,000 agent-leg events/s; p50/p99, server RSS (target p99 <= 20 ms)';

export const usage = `npm run bench -- push [--clients N=500] [--rate N=2000] [--seconds S=10] [--warmup-s S=3] [--holds N=3]
    [--event-bytes N=7168 (0: only the headers the service reads)] [--fixtures DIR] [--log-level info]
    [--server-prof DIR (V8 CPU profile of the service, node --cpu-prof)]
  Prints one JSON object: {clients, rate, seconds, events, delivered, p50Ms, p90Ms, p99Ms, maxMs, serverRssMb, targetP99Ms, pass, ...}`;

interface Options {
  clients: number;
  rate: number;
  seconds: number;
  warmupS: number;
  holds: number;
  eventBytes: number;
  fixtures: string | undefined;
  logLevel: string;
  /** Write a V8 CPU profile of the service here (node --cpu-prof). */
  serverProf: string | undefined;
}

function parseOptions(argv: string[]): Options {
  const opts: Options = { clients: 500, rate: 2000, seconds: 10, warmupS: 3, holds: 3, eventBytes: 7168, fixtures: undefined, logLevel: 'info', serverProf: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value\n${usage}`);
      return x;
    };
    const num = (min: number): number => {
      const n = Number(v());
      if (!Number.isFinite(n) || n < min) throw new Error(`${a} needs a number >= ${min}\n${usage}`);
      return n;
    };
    switch (a) {
      case '--clients': opts.clients = Math.floor(num(1)); break;
      case '--rate': opts.rate = num(1); break;
      case '--seconds': opts.seconds = num(0.1); break;
      case '--warmup-s': opts.warmupS = num(0); break;
      case '--holds': opts.holds = Math.floor(num(0)); break;
      case '--event-bytes': opts.eventBytes = Math.floor(num(0)); break;
      case '--fixtures': opts.fixtures = v(); break;
      case '--log-level': opts.logLevel = v(); break;
      case '--server-prof': opts.serverProf = path.resolve(v()); break;
      default: throw new Error(`unknown option ${a}\n${usage}`);
    }
  }
  return opts;
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SERVER_TS = path.join(REPO_ROOT, 'server', 'src', 'server.ts');
const CLIENTS_TS = fileURLToPath(new URL('./push-clients.ts', import.meta.url));
const ESL_PASSWORD = 'ClueCon';
const KEY_PREFIX = 'benchpush';

const hrMs = (): number => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function stats(xs: number[]): { n: number; p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number } {
  const s = xs.slice().sort((a, b) => a - b);
  return { n: s.length, p50Ms: round(percentile(s, 50)), p90Ms: round(percentile(s, 90)), p99Ms: round(percentile(s, 99)), maxMs: round(s[s.length - 1] ?? NaN) };
}

// ---- the switch ----

/** A switch that fires the bench's events and answers the service's connect-time `show channels`. */
class BenchSwitch implements SwitchFacade {
  readonly coreUuid = randomUUID();
  private readonly listeners = new Set<EventListener>();
  private sequence = 1;
  apis: string[] = [];
  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
  fire(ev: FsEvent): void {
    for (const l of this.listeners) l(ev);
  }
  async api(command: string, args: string): Promise<string> {
    this.apis.push(`${command} ${args}`.trim());
    if (command === 'show' && args.startsWith('channels')) return '{"row_count": 0}\n';
    if (command === 'status') return '+OK bench switch\n';
    // The service kills or transfers nothing in this scenario; answer like a switch that did it.
    return '+OK\n';
  }
  async sendmsg(uuid: string): Promise<string> {
    return `-ERR invalid session id [${uuid}]`;
  }
  channelData(): readonly Header[] | undefined {
    return undefined;
  }
  channelExists(): boolean {
    return false;
  }
  eventMeta(): { sequence: number; timestampUs: number } {
    return { sequence: this.sequence++, timestampUs: Math.round((performance.timeOrigin + performance.now()) * 1000) };
  }
  baseHeaders(name: string, callingFile: string, callingFunction: string, callingLine: number): Header[] {
    const { sequence, timestampUs } = this.eventMeta();
    return [
      ['Event-Name', name],
      ['Core-UUID', this.coreUuid],
      ['Event-Date-Timestamp', String(timestampUs)],
      ['Event-Calling-File', callingFile],
      ['Event-Calling-Function', callingFunction],
      ['Event-Calling-Line-Number', String(callingLine)],
      ['Event-Sequence', String(sequence)],
    ];
  }
}

// ---- events ----

type Kind = 'caller-create' | 'agent-create' | 'answer' | 'bridge' | 'hold' | 'unhold' | 'agent-hangup' | 'caller-hangup';
const EVENT_NAME: Record<Kind, string> = {
  'caller-create': 'CHANNEL_CREATE',
  'agent-create': 'CHANNEL_CREATE',
  answer: 'CHANNEL_ANSWER',
  bridge: 'CHANNEL_BRIDGE',
  hold: 'CHANNEL_HOLD',
  unhold: 'CHANNEL_UNHOLD',
  'agent-hangup': 'CHANNEL_HANGUP_COMPLETE',
  'caller-hangup': 'CHANNEL_HANGUP_COMPLETE',
};

/** Headers the service reads (event-map.ts): taken out of the captured filler and written per event. */
const OWN = new Set([
  'Event-Name', 'Unique-ID', 'Event-Sequence', 'Event-Date-Timestamp', 'Call-Direction', 'Caller-Caller-ID-Number', 'Caller-Caller-ID-Name',
  'Caller-Destination-Number', 'Caller-Context', 'Channel-Name', 'Other-Leg-Unique-ID', 'Bridge-A-Unique-ID', 'Bridge-B-Unique-ID',
  'Hangup-Cause', 'variable_hangup_cause', 'variable_bench_seq', 'variable_bench_sent_ns',
]);
const isOwn = (k: string): boolean => OWN.has(k) || k.startsWith('variable_hotline_') || k.startsWith('variable_sip_h_X-110-');

/** Per kind: the rest of a captured event of that name (or of any channel event), to make it realistic in size. */
function fillers(opts: Options): { filler: Record<Kind, Header[]>; source: string; headersPerEvent: number } {
  const kinds = Object.keys(EVENT_NAME) as Kind[];
  if (opts.eventBytes === 0) return { filler: Object.fromEntries(kinds.map((k) => [k, []])) as unknown as Record<Kind, Header[]>, source: 'none (--event-bytes 0)', headersPerEvent: 0 };
  const set = loadTemplates({ ...(opts.fixtures ? { dir: opts.fixtures } : {}), targetBytes: opts.eventBytes });
  const filler = {} as Record<Kind, Header[]>;
  for (const k of kinds) {
    const tpl = set.templates.find((t) => t.name === EVENT_NAME[k]) ?? set.templates.find((t) => t.name === 'CHANNEL_EXECUTE') ?? set.templates[0]!;
    filler[k] = tpl.headers.filter(([h]) => !isOwn(h));
  }
  return { filler, source: set.source, headersPerEvent: set.headersPerEvent };
}

interface Slot {
  readonly agent: number;
  step: number;
  caller: string;
  leg: string;
}

// ---- the service as a child process ----

interface ServerChild {
  child: ChildProcess;
  url: Promise<string>;
  logCounts: Record<string, number>;
  lastProblems: string[];
}

function startServer(env: Record<string, string>, profDir: string | undefined): ServerChild {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HOTLINE_')));
  const prof = profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', SERVER_TS], { cwd: REPO_ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logCounts: Record<string, number> = {};
  const lastProblems: string[] = [];
  const levels: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
  let buf = '';
  let stderr = '';
  let resolveUrl: (u: string) => void = () => {};
  let rejectUrl: (e: Error) => void = () => {};
  const url = new Promise<string>((res, rej) => {
    resolveUrl = res;
    rejectUrl = rej;
  });
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      try {
        const rec = JSON.parse(line) as { level?: number; msg?: string; url?: string };
        const level = levels[rec.level ?? 0] ?? String(rec.level);
        logCounts[level] = (logCounts[level] ?? 0) + 1;
        if (rec.msg === 'listening' && rec.url) resolveUrl(rec.url);
        if ((rec.level ?? 0) >= 40) {
          lastProblems.push(line.slice(0, 400));
          if (lastProblems.length > 5) lastProblems.shift();
        }
      } catch {
        /* not a log line */
      }
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  child.once('exit', (code) => rejectUrl(new Error(`service exited (${code}) before listening:\n${stderr}`)));
  url.catch(() => {});
  return { child, url, logCounts, lastProblems };
}

/** VmRSS (MB) and CPU time (ms, user + system) of a process, from /proc. */
function procSample(pid: number): { rssMb: number; cpuMs: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    return { rssMb: rssKb / 1024, cpuMs: (ticks * 1000) / 100 };
  } catch {
    return undefined;
  }
}

/** INFO commandstats: calls per command. */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const m of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

/** Time (ms) the process's main thread has waited on a run queue for a CPU (/proc/PID/schedstat, field 2). */
function runQueueWaitMs(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return undefined;
  }
}

// ---- the clients' child process ----

type FromClients = { type: 'up' } | { type: 'ready'; connectMs: number; rssMb: number } | { type: 'count'; delivered: number } | ClientsResult | { type: 'fatal'; error: string };

function clientsProcess(): { child: ChildProcess; next: (type: FromClients['type'], ms: number) => Promise<FromClients> } {
  const child = fork(CLIENTS_TS, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const waiting: { type: string; resolve: (m: FromClients) => void; reject: (e: Error) => void }[] = [];
  child.on('message', (m: FromClients) => {
    if (m.type === 'fatal') {
      for (const w of waiting.splice(0)) w.reject(new Error(`clients: ${m.error}`));
      return;
    }
    const i = waiting.findIndex((w) => w.type === m.type);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(m);
  });
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`clients process exited (${code})`));
  });
  const next = (type: FromClients['type'], ms: number): Promise<FromClients> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`clients: no ${type} within ${ms} ms`)), ms);
      waiting.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  return { child, next };
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
}

// ---- main ----

export async function main(argv: string[]): Promise<Record<string, unknown>> {
  const opts = parseOptions(argv);
  const log = (m: string): void => console.error(`push: ${m}`);
  const { filler, source, headersPerEvent } = fillers(opts);
  const cleanups: (() => Promise<unknown>)[] = [];
  const loadStart = os.loadavg();
  try {
    // --- Redis and the agents.
    const redisSrv = await startTestRedis();
    cleanups.unshift(() => redisSrv.stop());
    const redis = new Redis(redisSrv.url);
    cleanups.unshift(async () => redis.disconnect());
    const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? NaN);
    const agentIds = Array.from({ length: opts.clients }, (_, i) => `b${String(i).padStart(4, '0')}`);
    const agents = new AgentStore({ redis, keys: redisKeys(KEY_PREFIX), machine: createAgentMachine({ clock: Date.now, wrapUpSec: 30, wrapUpExtendSec: 30 }) });
    for (let i = 0; i < agentIds.length; i += 50)
      await Promise.all(
        agentIds.slice(i, i + 50).map(async (id, j) => {
          await agents.create({ id, name: `Bench agent ${id}`, phone: `user/${3000 + i + j}`, skills: { general: 5 } });
          await agents.apply(id, { type: 'login' }, 'agent');
        }),
      );
    log(`redis-server ${redisSrv.url} (${redisSrv.source}); ${agentIds.length} agents created and logged in`);

    // --- The switch.
    const sw = new BenchSwitch();
    const esl = await startMiniInboundServer({ sw, host: '127.0.0.1', port: 0, password: ESL_PASSWORD });
    cleanups.unshift(() => esl.close());

    // --- The service.
    const secret = randomBytes(32).toString('hex');
    const server = startServer({
      HOTLINE_HTTP_HOST: '127.0.0.1',
      HOTLINE_HTTP_PORT: '0',
      HOTLINE_LOG_LEVEL: opts.logLevel,
      HOTLINE_REDIS_URL: redisSrv.url,
      HOTLINE_REDIS_KEY_PREFIX: KEY_PREFIX,
      HOTLINE_FS_NODES: JSON.stringify([{ name: 'fs1', host: '127.0.0.1', port: esl.port, password: ESL_PASSWORD }]),
      HOTLINE_FS_OUTBOUND_PORT: '0',
      HOTLINE_AUTH_JWT_SECRET: secret,
    }, opts.serverProf);
    cleanups.unshift(() => stopChild(server.child, 'SIGTERM', 10_000));
    let startTimer: NodeJS.Timeout | undefined;
    const url = await Promise.race([
      server.url,
      new Promise<never>((_, reject) => (startTimer = setTimeout(() => reject(new Error('service did not start within 60 s')), 60_000))),
    ]).finally(() => clearTimeout(startTimer));
    for (let i = 0; i < 300 && !(sw.listenerCount > 0 && sw.apis.some((a) => a.startsWith('show channels'))); i++) await sleep(50);
    if (sw.listenerCount === 0) throw new Error('the service did not subscribe to events within 15 s');
    const serverPid = server.child.pid!;
    log(`service pid ${serverPid} at ${url}, subscribed to the bench switch on port ${esl.port}`);

    // --- The clients.
    const signer = tokenSigner({ secret, ttlSec: 3600 });
    const tokens = await Promise.all(agentIds.map(async (id) => ({ id, token: (await signer.sign({ username: `bench-${id}`, role: 'agent', agentId: id })).token })));
    const clients = clientsProcess();
    cleanups.unshift(() => stopChild(clients.child, 'SIGTERM', 3000));
    await clients.next('up', 30_000);
    const connect: ClientsConnect = { type: 'connect', url, agents: tokens, batch: 50 };
    clients.child.send(connect);
    const ready = (await clients.next('ready', 120_000)) as { connectMs: number; rssMb: number };
    log(`${opts.clients} /agent sockets connected in ${(ready.connectMs / 1000).toFixed(1)} s (clients' RSS ${ready.rssMb.toFixed(0)} MB)`);
    await sleep(1000);
    const idle = procSample(serverPid);

    // --- The load.
    const cycle: Kind[] = ['caller-create', 'agent-create', 'answer', 'bridge'];
    for (let h = 0; h < opts.holds; h++) cycle.push('hold', 'unhold');
    cycle.push('agent-hangup', 'caller-hangup');
    const C = cycle.length;
    const slots: Slot[] = agentIds.map((_, agent) => ({ agent, step: 0, caller: '', leg: '' }));
    // Per agent, per event that causes a call:update: its send time and kind.
    const sendT: number[][] = agentIds.map(() => []);
    const sendKind: Kind[][] = agentIds.map(() => []);
    const staggerEvents = slots.reduce((s, x) => s + (x.agent % C), 0);
    const warmupEvents = staggerEvents + Math.round(opts.warmupS * opts.rate);
    const measuredEvents = Math.round(opts.seconds * opts.rate);
    const total = warmupEvents + measuredEvents;
    function* order(): Generator<number> {
      for (let r = 0; r < C; r++) for (let s = 0; s < slots.length; s++) if (s % C > r) yield s;
      for (;;) for (let s = 0; s < slots.length; s++) yield s;
    }
    const slotOrder = order();
    let seq = 1000;
    let calls = 0;
    const fireNext = (): void => {
      const slot = slots[slotOrder.next().value as number]!;
      const kind = cycle[slot.step]!;
      slot.step = (slot.step + 1) % C;
      const agentId = agentIds[slot.agent]!;
      if (kind === 'caller-create') {
        slot.caller = randomUUID();
        slot.leg = randomUUID();
        calls++;
      }
      const uuid = kind === 'caller-create' || kind === 'caller-hangup' ? slot.caller : slot.leg;
      const own: Header[] = [
        ['Event-Name', EVENT_NAME[kind]],
        ['Unique-ID', uuid],
        ['Event-Sequence', String(seq++)],
        ['Event-Date-Timestamp', String(Math.round((performance.timeOrigin + performance.now()) * 1000))],
      ];
      switch (kind) {
        case 'caller-create':
          own.push(
            ['Call-Direction', 'inbound'],
            ['Caller-Caller-ID-Number', `1380000${String(slot.agent).padStart(4, '0')}`],
            ['Caller-Caller-ID-Name', 'Citizen'],
            ['Caller-Destination-Number', '12345'],
            ['Caller-Context', 'public'],
            ['Channel-Name', 'sofia/external/citizen@127.0.0.1'],
          );
          break;
        case 'agent-create':
          own.push(
            ['Call-Direction', 'outbound'],
            ['Caller-Caller-ID-Number', '12345'],
            ['Caller-Caller-ID-Name', 'Hotline'],
            // The client checks its pairing with this: the k-th call:update of the agent.
            ['Caller-Destination-Number', `bench-${sendT[slot.agent]!.length}`],
            ['Caller-Context', 'default'],
            ['Channel-Name', `sofia/internal/${agentId}@127.0.0.1`],
            ['Other-Leg-Unique-ID', slot.caller],
            ['variable_hotline_call_id', slot.caller],
            ['variable_hotline_leg_role', 'agent'],
            ['variable_hotline_agent_id', agentId],
            ['variable_hotline_line', 'main'],
          );
          break;
        case 'bridge':
          own.push(['Bridge-A-Unique-ID', slot.caller], ['Bridge-B-Unique-ID', slot.leg], ['Other-Leg-Unique-ID', slot.caller]);
          break;
        case 'agent-hangup':
        case 'caller-hangup':
          own.push(['Hangup-Cause', 'NORMAL_CLEARING']);
          break;
        default:
          break;
      }
      const ev: FsEvent = { name: EVENT_NAME[kind], uuid, headers: [...own, ...filler[kind]] };
      const t = hrMs();
      sw.fire(ev);
      if (kind !== 'caller-create') {
        sendT[slot.agent]!.push(t);
        sendKind[slot.agent]!.push(kind);
      }
    };

    log(
      `${total} events at ${opts.rate}/s: stagger ${staggerEvents} + warm-up ${warmupEvents - staggerEvents} (not measured), then ${measuredEvents} measured; ` +
        `${C} events per call (${opts.holds} hold/unhold pairs), ${source === 'none (--event-bytes 0)' ? 'minimal events' : `~${opts.eventBytes} B / ${headersPerEvent}-header events`}`,
    );
    const samples: { t: number; rssMb: number; cpuMs: number }[] = [];
    const sampler = setInterval(() => {
      const s = procSample(serverPid);
      if (s) samples.push({ t: hrMs(), ...s });
    }, 250);
    cleanups.unshift(async () => clearInterval(sampler));

    const firstMeasured: number[] = agentIds.map(() => 0);
    let measureStartT = 0;
    let measureEndT = 0;
    let serverAtStart: ReturnType<typeof procSample>;
    let redisAtStart: ReturnType<typeof procSample>;
    let clientsAtStart: ReturnType<typeof procSample>;
    let senderAtStart: ReturnType<typeof procSample>;
    let callsAtStart = 0;
    let cmdsAtStart: Promise<Map<string, number>> | undefined;
    const waitPids = (): Record<string, number> => ({ service: serverPid, clients: clients.child.pid!, redis: redisPid, sender: process.pid });
    let waitAtStart: Record<string, number | undefined> = {};
    await new Promise<void>((resolve) => {
      const t0 = hrMs();
      let sent = 0;
      let lastLog = t0;
      const tick = (): void => {
        const now = hrMs();
        const due = Math.min(total, Math.floor(((now - t0) * opts.rate) / 1000));
        while (sent < due) {
          if (sent === warmupEvents) {
            for (let a = 0; a < sendT.length; a++) firstMeasured[a] = sendT[a]!.length;
            measureStartT = hrMs();
            serverAtStart = procSample(serverPid);
            redisAtStart = procSample(redisPid);
            clientsAtStart = procSample(clients.child.pid!);
            senderAtStart = procSample(process.pid);
            callsAtStart = calls;
            cmdsAtStart = commandCalls(redis);
            waitAtStart = Object.fromEntries(Object.entries(waitPids()).map(([k, pid]) => [k, runQueueWaitMs(pid)]));
            log('warm-up done, measuring');
          }
          fireNext();
          sent++;
        }
        if (now - lastLog > 2000) {
          lastLog = now;
          const s = procSample(serverPid);
          log(`${sent}/${total} events sent${s ? `, service RSS ${s.rssMb.toFixed(0)} MB` : ''}`);
        }
        if (sent >= total) {
          measureEndT = hrMs();
          resolve();
        } else setTimeout(tick, 1);
      };
      tick();
    });
    const serverAtEnd = procSample(serverPid);
    const redisAtEnd = procSample(redisPid);
    const clientsAtEnd = procSample(clients.child.pid!);
    const senderAtEnd = procSample(process.pid);
    const runQueueWait = Object.fromEntries(
      Object.entries(waitPids()).map(([k, pid]) => {
        const a = waitAtStart[k];
        const b = runQueueWaitMs(pid);
        return [k, a === undefined || b === undefined ? null : round(b - a, 0)];
      }),
    );
    const callsInMeasure = calls - callsAtStart;
    clearInterval(sampler);

    // --- Drain: wait until every expected call:update arrived or arrivals stop.
    const expected = sendT.reduce((s, x) => s + x.length, 0);
    let delivered = 0;
    let lastChange = hrMs();
    for (;;) {
      clients.child.send({ type: 'count' });
      const c = (await clients.next('count', 10_000)) as { delivered: number };
      if (c.delivered !== delivered) lastChange = hrMs();
      delivered = c.delivered;
      if (delivered >= expected || hrMs() - lastChange > 5000) break;
      if (Math.floor(hrMs() / 1000) !== Math.floor((hrMs() - 100) / 1000)) log(`draining: ${delivered}/${expected} call:update received`);
      await sleep(100);
    }
    clients.child.send({ type: 'collect' });
    const res = (await clients.next('result', 60_000)) as ClientsResult;
    // After the drain, so that commands of events still queued at the end are counted (the tick's
    // and the SLA timer's commands of the drain seconds are in it too).
    const cmdsAtEnd = await commandCalls(redis);
    const cmdsStart = (await cmdsAtStart) ?? new Map<string, number>();
    const cmdDelta = [...cmdsAtEnd].map(([k, v]) => [k, v - (cmdsStart.get(k) ?? 0)] as const).filter(([k, d]) => d > 0 && k !== 'info');
    const redisCommandsPerEvent = round(cmdDelta.reduce((s2, [, d]) => s2 + d, 0) / measuredEvents, 2);
    const redisTopCommands = Object.fromEntries(cmdDelta.sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, d]) => [k, round(d / measuredEvents, 2)]));

    // --- Pairing and figures.
    const lat: number[] = [];
    const byKind: Partial<Record<Kind, number[]>> = {};
    let measuredSent = 0;
    let measuredDelivered = 0;
    let extra = 0;
    for (let a = 0; a < agentIds.length; a++) {
      const s = sendT[a]!;
      const r = res.recv[a] ?? [];
      if (r.length > s.length) extra += r.length - s.length;
      for (let i = firstMeasured[a]!; i < s.length; i++) {
        measuredSent++;
        const rt = r[i];
        if (rt === undefined) continue;
        measuredDelivered++;
        const ms = rt - s[i]!;
        lat.push(ms);
        (byKind[sendKind[a]![i]!] ??= []).push(ms);
      }
    }
    const all = stats(lat);
    // Worst latency per 500 ms of send time: shows whether the tail is a few stalls or steady queueing.
    const buckets: number[] = [];
    for (let a = 0; a < agentIds.length; a++) {
      const s = sendT[a]!;
      const r = res.recv[a] ?? [];
      for (let i = firstMeasured[a]!; i < s.length; i++) {
        if (r[i] === undefined) continue;
        const b = Math.floor((s[i]! - measureStartT) / 500);
        buckets[b] = Math.max(buckets[b] ?? 0, r[i]! - s[i]!);
      }
    }
    const worstPer500Ms = Array.from(buckets, (x) => round(x ?? 0, 0));
    const measureS = (measureEndT - measureStartT) / 1000;
    const rssInMeasure = samples.filter((x) => x.t >= measureStartT && x.t <= measureEndT).map((x) => x.rssMb);
    const cpuPct = (a: ReturnType<typeof procSample>, b: ReturnType<typeof procSample>): number | null =>
      a && b ? round(((b.cpuMs - a.cpuMs) / 1000 / measureS) * 100, 1) : null;
    const serverRssMb = round(Math.max(...rssInMeasure, serverAtEnd?.rssMb ?? 0), 1);
    const result = {
      bench: 'push',
      clients: opts.clients,
      rate: opts.rate,
      seconds: opts.seconds,
      events: measuredEvents,
      // Events that reach an agent (all but the caller leg's CHANNEL_CREATE).
      agentEvents: measuredSent,
      delivered: measuredDelivered,
      lost: measuredSent - measuredDelivered,
      p50Ms: all.p50Ms,
      p90Ms: all.p90Ms,
      p99Ms: all.p99Ms,
      maxMs: all.maxMs,
      serverRssMb,
      targetP99Ms: 20,
      pass: measuredDelivered === measuredSent && all.p99Ms <= 20,
      worstPer500Ms,
      byKind: Object.fromEntries(Object.entries(byKind).map(([k, xs]) => [k, stats(xs)])),
      achievedRate: round(measuredEvents / measureS, 0),
      callsPerS: round(callsInMeasure / measureS, 0),
      eventsPerCall: C,
      eventBytes: opts.eventBytes,
      headersPerEvent: opts.eventBytes === 0 ? 'minimal' : headersPerEvent,
      serverRssIdleMb: idle ? round(idle.rssMb, 1) : null,
      serverRssEndMb: serverAtEnd ? round(serverAtEnd.rssMb, 1) : null,
      serverCpuPct: cpuPct(serverAtStart, serverAtEnd),
      redisCpuPct: cpuPct(redisAtStart, redisAtEnd),
      // Commands the service sent per measured event (MULTI/EXEC count as commands), and the top ones.
      redisCommandsPerEvent,
      redisTopCommands,
      clientsCpuPct: cpuPct(clientsAtStart, clientsAtEnd),
      // This process: the bench switch building and writing the events.
      senderCpuPct: cpuPct(senderAtStart, senderAtEnd),
      clientsRssMb: round(res.rssMb, 1),
      // Time each process's main thread was runnable but waiting for a CPU during the measured
      // seconds: how much of the tail is the machine's (other processes) rather than the service's.
      runQueueWaitMs: runQueueWait,
      check: { misaligned: res.misaligned, checked: res.checked, seqErrors: res.seqErrors, extraUpdates: extra, disconnects: res.disconnects, removed: res.removed },
      // Log lines up to the end of the drain (the shutdown's own come later and are not counted).
      serverLog: { ...server.logCounts, ...(server.lastProblems.length ? { lastProblems: server.lastProblems.slice() } : {}) },
      machine: { cpus: os.cpus().length, node: process.version, loadavg1Start: round(loadStart[0]!, 2), loadavg1End: round(os.loadavg()[0]!, 2) },
      source,
    };
    log(`p50 ${all.p50Ms} ms, p99 ${all.p99Ms} ms, max ${all.maxMs} ms over ${measuredDelivered}/${measuredSent} deliveries; service RSS ${serverRssMb} MB, CPU ${result.serverCpuPct} %`);
    return result;
  } finally {
    for (const c of cleanups) await c().catch((e: unknown) => console.error(`push: cleanup: ${e instanceof Error ? e.message : String(e)}`));
  }
}
