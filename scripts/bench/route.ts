// Benchmark `route`: routing decision latency of the ACD, Redis included. The real Router with the
// real ClaimStore / QueueStore / AgentStore on a real redis-server (temp dir, stopped at the end),
// 1,000 agents with 1-3 of 50 queues' skills (levels 1-10), and a SwitchPort whose
// originateInBackground stamps process.hrtime.bigint() ("originate sent"), then answers like a
// switch would. Two event kinds, timed from the moment the event reaches the service:
//   caller_queued: QueueStore.enqueue, then router.onQueued (as call intake does) while a ready
//                  agent exists  -> originate sent
//   agent_ready:   AgentStore.apply (ready / endWrapUp), then agents.get and router.onAgentReady
//                  (as acd-control's agentBecameReady does) while callers wait -> originate sent
// Phases (seeded, deterministic load): warm-up; steady A (Poisson caller arrivals, agents plentiful:
// mostly caller_queued decisions); burst A; steady B (a backlog of callers, agents paced back to
// ready: agent_ready decisions); burst B (a shift of agents logging back at once). The once-a-second
// ACD tick's Redis work (expireWrapUps over all agents, router.routeAll) runs as in production.
// Then, with no load, two probes: a claim whose head caller has no eligible agent among all ready
// ones (the claim script's worst case), and the tick's agents.list(). See scripts/bench/README.md.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createAgentMachine, type AgentCommand } from '../../server/src/acd/agent-state.ts';
import type { AgentPort, ClaimPort, SwitchPort } from '../../server/src/acd/ports.ts';
import { queuesFileSchema, skillOf, type QueueConfig } from '../../server/src/acd/queue-config.ts';
import { Router } from '../../server/src/acd/router.ts';
import { AgentStore } from '../../server/src/store/agent-store.ts';
import { ClaimStore } from '../../server/src/store/claim-store.ts';
import { redisKeys } from '../../server/src/store/keys.ts';
import { QueueStore } from '../../server/src/store/queue-store.ts';
import { startRedisServer } from '../lib/redis-server.ts';

export const description = 'ACD routing decision latency (caller queued / agent ready -> originate sent), 1,000 agents, 50 queues, real Redis';
export const usage = `npm run bench -- route [options]      (~35 s on 2 cores)
  --agents N=1000      agents, each with 1-3 queue skills, levels 1-10
  --queues N=50        queues, each with its own skill, 1 or 2 tiers
  --rate N=50          steady events/s: caller arrivals in phase A, agents back to ready in phase B
  --steady-s N=10      length of each steady phase
  --burst N=300        events in each burst phase (over 1 s)
  --warmup-s N=3       warm-up at the steady rate, not measured
  --seed N=12345       seed of the load (queues, agents, arrival times, talk times)
  --no-tick            leave out the 1 s ACD tick (expireWrapUps over all agents + routeAll)`;

const TARGET_P99_MS = 5;
const PREFIX = 'bench';

type Kind = 'caller_queued' | 'agent_ready';
type PhaseName = 'warmup' | 'steady_a' | 'burst_a' | 'steady_b' | 'burst_b';

/** One event under observation: from its arrival until its routing pass decided it or ended without it. */
interface Ev {
  readonly id: string;
  readonly kind: Kind;
  readonly phase: PhaseName;
  readonly tStart: bigint;
  tNotify: bigint;
  notifySeq: number;
  readonly reqAtStart: number;
  readonly awaiting: Set<string>;
  claimed: boolean;
  done: boolean;
}

interface Sample {
  readonly kind: Kind;
  readonly phase: PhaseName;
  readonly ms: number;
  readonly routerMs: number;
  readonly requests: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

function pct(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** INFO commandstats + cpu, parsed: command -> {calls, usec}, and redis-server CPU seconds. */
async function redisInfo(r: Redis): Promise<{ cmds: Map<string, { calls: number; usec: number }>; cpuS: number; usedMb: number }> {
  const text = await r.info('all');
  const cmds = new Map<string, { calls: number; usec: number }>();
  let cpuS = 0;
  let usedMb = 0;
  for (const line of text.split('\r\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line);
    if (m) cmds.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
    const c = /^used_cpu_(user|sys):([\d.]+)/.exec(line);
    if (c) cpuS += Number(c[2]);
    const u = /^used_memory:(\d+)/.exec(line);
    if (u) usedMb = Number(u[1]) / 1048576;
  }
  return { cmds, cpuS, usedMb };
}

/** ns a process has waited on the CPU run queue so far (Linux schedstat; 0 where unavailable). */
async function runQueueWaitNs(pid: number | 'self'): Promise<number> {
  try {
    return Number((await readFile(`/proc/${pid}/schedstat`, 'utf8')).split(' ')[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The redis-server listening on `port` (its process title is "redis-server 127.0.0.1:PORT"). */
async function redisPid(port: number): Promise<number | undefined> {
  for (const d of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(d)) continue;
    const cmd = await readFile(`/proc/${d}/cmdline`, 'utf8').catch(() => '');
    if (cmd.startsWith('redis-server') && cmd.includes(`:${port}`)) return Number(d);
  }
  return undefined;
}

export async function main(argv: string[]): Promise<Record<string, unknown>> {
  const arg = (k: string, d: number): number => {
    const i = argv.indexOf(k);
    const v = i >= 0 ? Number(argv[i + 1]) : d;
    if (!Number.isFinite(v) || v < 0) throw new Error(usage);
    return v;
  };
  const nAgents = Math.floor(arg('--agents', 1000));
  const nQueues = Math.floor(arg('--queues', 50));
  const rate = arg('--rate', 50);
  const steadyS = arg('--steady-s', 10);
  const burstN = Math.floor(arg('--burst', 300));
  const warmupS = arg('--warmup-s', 3);
  const seed = Math.floor(arg('--seed', 12345));
  const tick = !argv.includes('--no-tick');
  if (nQueues < 1 || nAgents < 1 || rate <= 0) throw new Error(usage);
  const rnd = mulberry32(seed);
  const uniform = (a: number, b: number): number => a + (b - a) * rnd();
  const loadStart = os.loadavg();

  // --- queues: own skill each, 40 % one tier, the others a high first tier widening after 10-30 s.
  const rawQueues = Array.from({ length: nQueues }, (_, i) => {
    const name = `q${String(i).padStart(2, '0')}`;
    const tiers = rnd() < 0.4 ? [{ afterSec: 0, minLevel: 1 }] : [{ afterSec: 0, minLevel: 3 + Math.floor(rnd() * 5) }, { afterSec: 10 * (1 + Math.floor(rnd() * 3)), minLevel: 1 }];
    return { name, skill: `s${String(i).padStart(2, '0')}`, tiers };
  });
  const queues: QueueConfig[] = queuesFileSchema.parse(rawQueues);
  // Zipf-like popularity: callers and agents' skills follow it, so capacity follows demand.
  const weights = queues.map((_, i) => 1 / (i + 1) ** 0.8);
  const wSum = weights.reduce((a, b) => a + b, 0);
  const pickQueue = (): QueueConfig => {
    let x = rnd() * wSum;
    for (let i = 0; i < queues.length; i++) if ((x -= weights[i]!) <= 0) return queues[i]!;
    return queues[queues.length - 1]!;
  };
  const profiles = Array.from({ length: nAgents }, (_, i) => {
    const skills: Record<string, number> = {};
    const k = 1 + Math.floor(rnd() * 3);
    for (let tries = 0; Object.keys(skills).length < Math.min(k, nQueues) && tries < 100; tries++) skills[skillOf(pickQueue())] = 1 + Math.floor(rnd() * 10);
    return { id: `a${String(i).padStart(4, '0')}`, name: `Agent ${i}`, phone: `user/${10000 + i}`, skills };
  });
  const pickPriority = (): number => {
    const x = rnd();
    return x < 0.03 ? 3 : x < 0.1 ? 2 : x < 0.2 ? 1 : 0;
  };

  // --- Redis and the real stores.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'route-bench-'));
  const server = await startRedisServer({ dir, persistent: false });
  const redis = new Redis(server.url, { lazyConnect: false });
  const infoConn = new Redis(server.url);
  // Count requests the service sends (a MULTI ... EXEC transaction is one request, one round trip).
  let requests = 0;
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((cmd: Parameters<Redis['sendCommand']>[0], stream?: Parameters<Redis['sendCommand']>[1]) => {
    if (!stream || cmd.name === 'multi') requests++;
    return send(cmd, stream);
  }) as Redis['sendCommand'];

  const stopAll: (() => Promise<unknown>)[] = [];
  const cleanup = async (): Promise<void> => {
    for (const f of stopAll.splice(0).reverse()) await f().catch(() => {});
  };
  stopAll.push(async () => rm(dir, { recursive: true, force: true }));
  stopAll.push(() => server.stop());
  stopAll.push(async () => {
    redis.disconnect();
    infoConn.disconnect();
  });

  try {
    const keys = redisKeys(PREFIX);
    const queueStore = new QueueStore(redis, keys);
    const claimStore = new ClaimStore(redis, keys, PREFIX);
    // Wrap-up is ended by the harness (endWrapUp: the agent presses "ready"); a long nominal
    // wrap-up keeps expireWrapUps from doing it behind the pacer's back.
    const machine = createAgentMachine({ clock: Date.now, wrapUpSec: 600, wrapUpExtendSec: 60 });
    const agents = new AgentStore({ redis, keys, machine });
    const logger = pino({ level: 'silent' });

    // --- bookkeeping of events under observation.
    let phase: PhaseName = 'warmup';
    let mode: 'A' | 'B' | 'stop' = 'A';
    let claimSeq = 0;
    const pendingCallers = new Map<string, Ev>();
    const pendingAgents = new Map<string, Ev>();
    const awaitingByQueue = new Map<string, Set<Ev>>();
    const samples: Sample[] = [];
    const noDecision: Record<string, number> = {};
    const unattributed: Record<string, number> = {};
    const errors: string[] = [];
    const claimUs = { hit: [] as number[], miss: [] as number[] };
    const bump = (o: Record<string, number>, k: string): void => {
      o[k] = (o[k] ?? 0) + 1;
    };

    const finish = (ev: Ev, map: Map<string, Ev>, id: string): void => {
      ev.done = true;
      if (map.get(id) === ev) map.delete(id);
    };
    const notify = (ev: Ev, queueNames: readonly string[]): void => {
      ev.tNotify = process.hrtime.bigint();
      ev.notifySeq = claimSeq;
      for (const q of queueNames) {
        ev.awaiting.add(q);
        let set = awaitingByQueue.get(q);
        if (!set) awaitingByQueue.set(q, (set = new Set()));
        set.add(ev);
      }
    };
    /** A claim that started after an event's notification found nothing: that event decided nothing in this queue. */
    const passEnded = (queue: string, seq: number): void => {
      const set = awaitingByQueue.get(queue);
      if (!set) return;
      for (const ev of set) {
        if (ev.notifySeq >= seq) continue;
        set.delete(ev);
        ev.awaiting.delete(queue);
        if (ev.awaiting.size || ev.done || ev.claimed) continue;
        bump(noDecision, `${ev.phase}:${ev.kind}`);
        finish(ev, ev.kind === 'caller_queued' ? pendingCallers : pendingAgents, ev.id);
      }
    };
    const claims: ClaimPort = {
      async claim(queue, skill, nowMs, tiers) {
        const seq = ++claimSeq;
        const t = process.hrtime.bigint();
        const c = await claimStore.claim(queue, skill, nowMs, tiers);
        const us = Number(process.hrtime.bigint() - t) / 1000;
        if (phase !== 'warmup') (c ? claimUs.hit : claimUs.miss).push(us);
        if (c) {
          const a = pendingCallers.get(c.callId);
          if (a) a.claimed = true;
          const b = pendingAgents.get(c.agentId);
          if (b) b.claimed = true;
        } else passEnded(queue, seq);
        return c;
      },
      requeue: (callId) => claimStore.requeue(callId),
    };

    // --- the switch: originate stamps the decision, answers after a ring, bridge starts the talk.
    const timers = new Set<NodeJS.Timeout>();
    const later = (ms: number, fn: () => void): void => {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      timers.add(t);
    };
    const agentOfLeg = new Map<string, string>();
    const onOriginate = (callId: string, agentId: string): void => {
      const t = process.hrtime.bigint();
      const req = requests;
      const cands = [pendingCallers.get(callId), pendingAgents.get(agentId)].filter((e): e is Ev => !!e && e.claimed && !e.done);
      const c = pendingCallers.get(callId);
      if (c) finish(c, pendingCallers, callId);
      const a = pendingAgents.get(agentId);
      if (a) finish(a, pendingAgents, agentId);
      if (!cands.length) return bump(unattributed, phase);
      // Both in flight: the later event is the one that made the pair possible.
      const ev = cands.reduce((x, y) => (y.tStart > x.tStart ? y : x));
      samples.push({ kind: ev.kind, phase: ev.phase, ms: Number(t - ev.tStart) / 1e6, routerMs: ev.tNotify ? Number(t - ev.tNotify) / 1e6 : NaN, requests: req - ev.reqAtStart });
    };
    const sw: SwitchPort = {
      originateInBackground(o) {
        const callId = o.vars?.hotline_call_id ?? '';
        const agentId = o.vars?.hotline_agent_id ?? '';
        onOriginate(callId, agentId);
        const leg = o.uuid ?? randomUUID();
        agentOfLeg.set(leg, agentId);
        return new Promise((resolve) => later(uniform(300, 1200), () => resolve(leg)));
      },
      async bridge(callId, leg) {
        const agentId = agentOfLeg.get(leg);
        agentOfLeg.delete(leg);
        if (agentId) later(uniform(2000, 5000), () => void endCall(agentId, callId, 0));
      },
      kill: async () => {},
      transfer: async () => {},
      broadcast: async () => {},
      setVar: async () => {},
    };

    // --- agents as acd-control wires them (refusals are not errors there either).
    const transition = async (agentId: string, command: AgentCommand): Promise<boolean> => {
      try {
        await agents.apply(agentId, command, 'acd');
        return true;
      } catch {
        return false;
      }
    };
    /** acd-control's agentBecameReady: read the agent, and route its skills' queues if ready. */
    const agentBecameReady = async (agentId: string, ev?: Ev): Promise<void> => {
      const a = await agents.get(agentId);
      if (!a || a.state !== 'ready') return;
      const skills = Object.keys(a.skills);
      if (ev) notify(ev, queues.filter((q) => skills.includes(skillOf(q))).map((q) => q.name));
      router.onAgentReady(skills);
    };
    const agentPort: AgentPort = {
      connect: (id, callId) => transition(id, { type: 'connect', callId }),
      ringNoAnswer: (id, callId) => transition(id, { type: 'ringNoAnswer', callId }),
      cancelReservation: async (id, callId) => {
        const ok = await transition(id, { type: 'cancelReservation', callId });
        if (ok) void agentBecameReady(id);
        return ok;
      },
      endCall: (id, callId) => transition(id, { type: 'endCall', callId }),
    };

    const router = new Router({
      queues,
      claims,
      waiting: queueStore,
      agents: agentPort,
      sw,
      callFacts: () => ({ callerNumber: '13800138000', line: '12345' }),
      now: Date.now,
      logger,
      ringNoAnswerSec: 20,
    });

    // Agents with nothing to do: in phase B they wait here for the pacer (break or wrap-up).
    const pool: { id: string; cmd: AgentCommand }[] = [];
    const inFlight = new Set<Promise<unknown>>();
    const track = (p: Promise<unknown>): void => {
      const q = p.catch((err: unknown) => {
        if (errors.length < 20) errors.push(err instanceof Error ? err.message : String(err));
      });
      inFlight.add(q);
      void q.finally(() => inFlight.delete(q));
    };

    let callSeq = 0;
    const callerArrives = (opts: { t0Us?: number; observe?: boolean } = {}): void => {
      const q = pickQueue();
      const priority = pickPriority();
      const callId = `c${++callSeq}`;
      const ev: Ev | undefined =
        opts.observe === false ? undefined : { id: callId, kind: 'caller_queued', phase, tStart: process.hrtime.bigint(), tNotify: 0n, notifySeq: 0, reqAtStart: requests, awaiting: new Set(), claimed: false, done: false };
      if (ev) pendingCallers.set(callId, ev);
      track(
        (async () => {
          await queueStore.enqueue({ callId, queue: q.name, priority, t0Us: opts.t0Us ?? Date.now() * 1000, node: 'fs1', line: '12345' });
          if (ev) notify(ev, [q.name]);
          router.onQueued(q.name);
        })(),
      );
    };
    const agentReady = (id: string, cmd: AgentCommand): void => {
      const ev: Ev = { id, kind: 'agent_ready', phase, tStart: process.hrtime.bigint(), tNotify: 0n, notifySeq: 0, reqAtStart: requests, awaiting: new Set(), claimed: false, done: false };
      pendingAgents.set(id, ev);
      track(
        (async () => {
          try {
            await agents.apply(id, cmd, 'agent');
          } catch (err) {
            finish(ev, pendingAgents, id);
            throw err;
          }
          await agentBecameReady(id, ev);
          if (!ev.awaiting.size && !ev.done) finish(ev, pendingAgents, id);
        })(),
      );
    };
    /** The call ends (talk over): wrap-up; in phase A the agent is ready again after 0.5-1.5 s. */
    const endCall = async (agentId: string, callId: string, attempt: number): Promise<void> => {
      if (mode === 'stop') return;
      if (!(await transition(agentId, { type: 'endCall', callId }))) {
        // Not on-call yet (connect still in flight): try again shortly.
        if (attempt < 20) later(100, () => void endCall(agentId, callId, attempt + 1));
        else if (errors.length < 20) errors.push(`agent ${agentId} never reached on-call for ${callId}`);
        return;
      }
      const wrapEnd = (): void => {
        if (mode === 'A') agentReady(agentId, { type: 'endWrapUp' });
        else if (mode === 'B') pool.push({ id: agentId, cmd: { type: 'endWrapUp' } });
      };
      if (mode === 'A') later(uniform(500, 1500), wrapEnd);
      else wrapEnd();
    };

    /** Fire `n` events at Poisson times over about `seconds`, each by `fire()`; resolves after the last. */
    const poisson = async (perSecond: number, seconds: number, fire: () => void, maxEvents = Infinity): Promise<number> => {
      const start = performance.now();
      let due = 0;
      let n = 0;
      for (;;) {
        due += (-Math.log(1 - rnd()) / perSecond) * 1000;
        if (due > seconds * 1000 || n >= maxEvents) break;
        const wait = start + due - performance.now();
        if (wait > 1) await sleep(wait);
        fire();
        n++;
      }
      const rest = start + seconds * 1000 - performance.now();
      if (rest > 0) await sleep(rest);
      return n;
    };
    const settle = async (): Promise<void> => {
      // Events still in their routing pass, and claims' offers up to originate.
      for (let i = 0; i < 100 && (inFlight.size || [...pendingCallers.values(), ...pendingAgents.values()].some((e) => e.claimed && !e.done)); i++) await sleep(20);
    };

    // --- measurement per phase.
    const rssPeak: Partial<Record<PhaseName, number>> = {};
    const rssTimer = setInterval(() => {
      const mb = process.memoryUsage().rss / 1048576;
      rssPeak[phase] = Math.max(rssPeak[phase] ?? 0, mb);
    }, 100);
    stopAll.push(async () => clearInterval(rssTimer));
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    stopAll.push(async () => loop.disable());
    const phaseInfo: Record<string, Record<string, unknown>> = {};
    const rPid = await redisPid(server.port);
    const tickMs: number[] = [];
    const runPhase = async (name: PhaseName, body: () => Promise<number>): Promise<void> => {
      phase = name;
      loop.reset();
      const before = await redisInfo(infoConn);
      const wait0 = [await runQueueWaitNs('self'), rPid ? await runQueueWaitNs(rPid) : 0];
      const req0 = requests;
      const cpu0 = process.cpuUsage();
      const t = performance.now();
      const events = await body();
      await settle();
      const seconds = (performance.now() - t) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const wait1 = [await runQueueWaitNs('self'), rPid ? await runQueueWaitNs(rPid) : 0];
      const after = await redisInfo(infoConn);
      const delta = (cmd: string): { calls: number; usec: number } => {
        const a = after.cmds.get(cmd) ?? { calls: 0, usec: 0 };
        const b = before.cmds.get(cmd) ?? { calls: 0, usec: 0 };
        return { calls: a.calls - b.calls, usec: a.usec - b.usec };
      };
      let serverCalls = 0;
      for (const k of after.cmds.keys()) if (k !== 'info') serverCalls += delta(k).calls;
      const top = [...after.cmds.keys()]
        .filter((k) => k !== 'info')
        .map((k) => [k, delta(k).calls] as const)
        .filter(([, n]) => n > 0)
        .sort((x, y) => y[1] - x[1])
        .slice(0, 8);
      const ticks = tickMs.splice(0).sort((a, b) => a - b);
      const evalsha = delta('evalsha');
      const evalc = delta('eval');
      phaseInfo[name] = {
        seconds: round(seconds, 1),
        events,
        redis_requests: requests - req0,
        redis_commands_incl_in_scripts: serverCalls,
        redis_cpu_ms: round((after.cpuS - before.cpuS) * 1000, 0),
        node_cpu_ms: round((cpu.user + cpu.system) / 1000, 0),
        // Time runnable but not running (another process had the CPU): the machine's share of the tail.
        node_run_queue_wait_ms: round((wait1[0]! - wait0[0]!) / 1e6, 0),
        redis_run_queue_wait_ms: rPid ? round((wait1[1]! - wait0[1]!) / 1e6, 0) : null,
        claim_script_us_per_call: evalsha.calls ? round(evalsha.usec / evalsha.calls, 1) : null,
        claim_script_calls: evalsha.calls,
        agent_write_script_us_per_call: evalc.calls ? round(evalc.usec / evalc.calls, 1) : null,
        redis_commands_top: Object.fromEntries(top),
        tick_ms: ticks.length ? { n: ticks.length, p50: round(pct(ticks, 50), 1), max: round(ticks[ticks.length - 1]!, 1) } : null,
        redis_used_mb: round(after.usedMb, 1),
        event_loop_delay_p99_ms: round(loop.percentile(99) / 1e6, 2),
        rss_mb: round(rssPeak[name] ?? process.memoryUsage().rss / 1048576, 1),
      };
      console.error(`route: ${name} done in ${seconds.toFixed(1)} s, ${events} events, ${samples.filter((s) => s.phase === name).length} decisions`);
    };

    // --- setup: agents created and logged in (ready), 20 at a time.
    console.error(`route: redis-server on ${server.url}; creating ${nAgents} agents over ${nQueues} queues (seed ${seed})`);
    const tSetup = performance.now();
    for (let i = 0; i < profiles.length; i += 20)
      await Promise.all(
        profiles.slice(i, i + 20).map(async (p) => {
          await agents.create(p);
          await agents.apply(p.id, { type: 'login' }, 'agent');
        }),
      );
    console.error(`route: setup ${((performance.now() - tSetup) / 1000).toFixed(1)} s`);

    // The ACD's once-a-second review, minus what needs calls on a switch (announcements, overflow).
    let reviewing = false;
    const tickTimer = setInterval(() => {
      if (!tick || reviewing || mode === 'stop') return;
      reviewing = true;
      void (async () => {
        const t = performance.now();
        try {
          for (const id of await agents.expireWrapUps(Date.now())) void agentBecameReady(id);
          router.routeAll();
        } finally {
          tickMs.push(performance.now() - t);
          reviewing = false;
        }
      })();
    }, 1000);
    stopAll.push(async () => clearInterval(tickTimer));

    // --- phases.
    await runPhase('warmup', () => poisson(rate, warmupS, () => callerArrives()));
    samples.length = 0;
    claimUs.hit.length = claimUs.miss.length = 0;
    for (const k of Object.keys(noDecision)) delete noDecision[k];
    await runPhase('steady_a', () => poisson(rate, steadyS, () => callerArrives()));
    await runPhase('burst_a', () => poisson(burstN, 1, () => callerArrives(), burstN));

    // To phase B: arrivals stop, wrap-ups go to the pool, every ready agent takes a break, and a
    // backlog of callers who have waited 2 minutes (widest tier) builds up.
    mode = 'B';
    await sleep(200);
    await router.idle();
    const readyNow = (await agents.list()).filter((a) => a.state === 'ready');
    for (let i = 0; i < readyNow.length; i += 20)
      await Promise.all(
        readyNow.slice(i, i + 20).map(async (a) => {
          if (await transition(a.id, { type: 'notReady', reason: 'break' })) pool.push({ id: a.id, cmd: { type: 'ready' } });
        }),
      );
    const backlog = Math.max(2 * burstN, Math.ceil(rate * steadyS * 1.5));
    const waitedUs = (Date.now() - 120_000) * 1000;
    for (let i = 0; i < backlog; i++) callerArrives({ t0Us: waitedUs + i, observe: false });
    await settle();
    console.error(`route: phase B: ${pool.length} agents on break, ${backlog} callers waiting`);
    const paceAgent = (): void => {
      const i = Math.floor(rnd() * pool.length);
      const a = pool[i];
      if (!a) return;
      pool[i] = pool[pool.length - 1]!;
      pool.pop();
      agentReady(a.id, a.cmd);
    };
    await runPhase('steady_b', async () => {
      // Callers keep arriving (at 40 % of the rate) and join the backlog.
      const callers = poisson(rate * 0.4, steadyS, () => callerArrives());
      const n = await poisson(rate, steadyS, paceAgent);
      return n + (await callers);
    });
    await runPhase('burst_b', () => poisson(burstN, 1, paceAgent, burstN));
    // Let the offers in flight finish (answer, bridge, connect) before Redis goes away.
    mode = 'stop';
    await settle();
    await Promise.race([router.idle(), sleep(5000)]);
    for (const t of timers) clearTimeout(t);
    timers.clear();
    const loadEnd = os.loadavg();

    // --- probes, with no load running: what a claim costs when the head caller's tier has no
    // eligible agent among many ready ones (the script reads every ready agent of the skill), and
    // what the tick's agents.list() of every agent costs.
    const probeKeys = redisKeys('probe');
    const probeAgents = new AgentStore({ redis, keys: probeKeys, machine });
    const probeClaims = new ClaimStore(redis, probeKeys, 'probe');
    for (let i = 0; i < nAgents; i += 20)
      await Promise.all(
        Array.from({ length: Math.min(20, nAgents - i) }, async (_, j) => {
          const id = `p${i + j}`;
          await probeAgents.create({ id, name: id, phone: 'user/1', skills: { general: 1 + ((i + j) % 5) } });
          await probeAgents.apply(id, { type: 'login' }, 'agent');
        }),
      );
    await new QueueStore(redis, probeKeys).enqueue({ callId: 'probe-1', queue: 'elder', priority: 2, t0Us: Date.now() * 1000, node: 'fs1', line: '12345' });
    const timeIt = async (n: number, f: () => Promise<unknown>): Promise<{ round_trip_p50_ms: number; round_trip_min_ms: number; redis_evalsha_us_per_call?: number }> => {
      const before = await redisInfo(infoConn);
      const ts: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = process.hrtime.bigint();
        await f();
        ts.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      const after = await redisInfo(infoConn);
      ts.sort((a, b) => a - b);
      const e0 = before.cmds.get('evalsha') ?? { calls: 0, usec: 0 };
      const e1 = after.cmds.get('evalsha') ?? { calls: 0, usec: 0 };
      const calls = e1.calls - e0.calls;
      return { round_trip_p50_ms: round(pct(ts, 50), 3), round_trip_min_ms: round(ts[0] ?? NaN, 3), ...(calls ? { redis_evalsha_us_per_call: round((e1.usec - e0.usec) / calls, 0) } : {}) };
    };
    const probes = {
      claim_no_eligible_agent: {
        setup: `${nAgents} ready agents with skill general at levels 1-5; one caller in queue elder (tiers 0 s: level 6, 10 s: level 1) in its first tier`,
        ...(await timeIt(50, () => probeClaims.claim('elder', 'general', Date.now(), [[0, 6], [10, 1]]))),
      },
      claim_empty_queue: await timeIt(50, () => probeClaims.claim('general', 'general', Date.now(), [[0, 1]])),
      tick_agents_list: { agents: nAgents, ...(await timeIt(10, () => agents.list())) },
    };
    console.error(`route: probes ${JSON.stringify(probes)}`);

    // --- summary.
    const summarize = (ss: readonly Sample[], seconds: number, phases: readonly PhaseName[], kind: Kind | 'all'): Record<string, unknown> => {
      const ms = ss.map((s) => s.ms).sort((a, b) => a - b);
      // NaN: decided by another pass before this event's own notification (its agent was already in the ready set).
      const routerMs = ss.map((s) => s.routerMs).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
      const reqs = ss.map((s) => s.requests);
      const phaseReq = phases.reduce((a, p) => a + Number(phaseInfo[p]?.redis_requests ?? 0), 0);
      const phaseCmds = phases.reduce((a, p) => a + Number(phaseInfo[p]?.redis_commands_incl_in_scripts ?? 0), 0);
      const phaseCpu = phases.reduce((a, p) => a + Number(phaseInfo[p]?.redis_cpu_ms ?? 0), 0);
      const nodeCpu = phases.reduce((a, p) => a + Number(phaseInfo[p]?.node_cpu_ms ?? 0), 0);
      const allDecisions = samples.filter((s) => phases.includes(s.phase)).length;
      const kinds: readonly Kind[] = kind === 'all' ? ['caller_queued', 'agent_ready'] : [kind];
      let withoutDecision = 0;
      for (const p of phases) for (const k of kinds) withoutDecision += noDecision[`${p}:${k}`] ?? 0;
      return {
        p50_ms: round(pct(ms, 50), 3),
        p90_ms: round(pct(ms, 90), 3),
        p99_ms: round(pct(ms, 99), 3),
        max_ms: round(ms[ms.length - 1] ?? NaN, 3),
        decisions: ss.length,
        decisions_per_s: round(ss.length / seconds, 1),
        events_without_decision: withoutDecision,
        router_only_p50_ms: round(pct(routerMs, 50), 3),
        router_only_p99_ms: round(pct(routerMs, 99), 3),
        redis_requests_before_originate_min: reqs.length ? Math.min(...reqs) : null,
        // Every request of the phase (offers, agent transitions, the tick...) over its decisions.
        redis_requests_per_decision_all_traffic: kind === 'all' && allDecisions ? round(phaseReq / allDecisions, 1) : undefined,
        redis_commands_per_decision_incl_in_scripts: kind === 'all' && allDecisions ? round(phaseCmds / allDecisions, 1) : undefined,
        redis_cpu_us_per_decision: kind === 'all' && allDecisions ? round((phaseCpu * 1000) / allDecisions, 0) : undefined,
        // The whole process (router, stores, the simulated switch and agents): the least load-dependent figure.
        node_cpu_us_per_decision: kind === 'all' && allDecisions ? round((nodeCpu * 1000) / allDecisions, 0) : undefined,
        rss_mb: round(Math.max(...phases.map((p) => Number(phaseInfo[p]?.rss_mb ?? 0))), 1),
        target_p99_ms: TARGET_P99_MS,
        target_met: ms.length > 0 && pct(ms, 99) <= TARGET_P99_MS,
      };
    };
    const group = (phases: readonly PhaseName[]): Record<string, unknown> => {
      const seconds = phases.reduce((a, p) => a + Number(phaseInfo[p]?.seconds ?? 0), 0);
      const ss = samples.filter((s) => phases.includes(s.phase));
      return {
        phases,
        caller_queued: summarize(
          ss.filter((s) => s.kind === 'caller_queued'),
          seconds,
          phases,
          'caller_queued',
        ),
        agent_ready: summarize(
          ss.filter((s) => s.kind === 'agent_ready'),
          seconds,
          phases,
          'agent_ready',
        ),
        all: summarize(ss, seconds, phases, 'all'),
      };
    };
    const sortedHit = [...claimUs.hit].sort((a, b) => a - b);
    const sortedMiss = [...claimUs.miss].sort((a, b) => a - b);
    const steady = group(['steady_a', 'steady_b']);
    const burst = group(['burst_a', 'burst_b']);
    const steadyMet = (['caller_queued', 'agent_ready', 'all'] as const).every((k) => (steady[k] as { target_met: boolean }).target_met);
    return {
      bench: 'route',
      target: `p99 <= ${TARGET_P99_MS} ms from event to originate sent, at steady load`,
      target_met: steadyMet,
      steady,
      burst,
      phases: Object.fromEntries(
        (['steady_a', 'burst_a', 'steady_b', 'burst_b'] as const).map((p) => [
          p,
          {
            ...phaseInfo[p],
            caller_queued: summarize(
              samples.filter((s) => s.phase === p && s.kind === 'caller_queued'),
              Number(phaseInfo[p]?.seconds ?? 1),
              [p],
              'caller_queued',
            ),
            agent_ready: summarize(
              samples.filter((s) => s.phase === p && s.kind === 'agent_ready'),
              Number(phaseInfo[p]?.seconds ?? 1),
              [p],
              'agent_ready',
            ),
            decisions_not_attributed: unattributed[p] ?? 0,
          },
        ]),
      ),
      probes,
      claim_round_trip_us: {
        claimed: { n: sortedHit.length, p50: round(pct(sortedHit, 50), 0), p99: round(pct(sortedHit, 99), 0) },
        nothing_to_claim: { n: sortedMiss.length, p50: round(pct(sortedMiss, 50), 0), p99: round(pct(sortedMiss, 99), 0) },
      },
      router_stats: router.stats,
      errors,
      config: { agents: nAgents, queues: nQueues, rate_per_s: rate, steady_s: steadyS, burst_events: burstN, warmup_s: warmupS, seed, tick, answer_ms: [300, 1200], talk_ms: [2000, 5000], wrap_up_ms_phase_a: [500, 1500] },
      machine: { cpus: os.cpus().length, node: process.version, loadavg_1m_start: round(loadStart[0] ?? 0), loadavg_1m_end: round(loadEnd[0] ?? 0) },
    };
  } finally {
    await cleanup();
  }
}
