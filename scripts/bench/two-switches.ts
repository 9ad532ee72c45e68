// Benchmark `two-switches`: the limits of a site with two switches (README "More than one switch").
// Two real FreeSWITCH 1.10.12 instances joined by the project's inter-switch trunk, two service
// instances as processes of their own (one per switch, each connected to both) on one Redis, agents'
// SIPp phones registered half on each switch, and SIPp callers split evenly over both switches at a
// few call rates, one step after the other. Per step: calls placed and served, the share served by
// an agent on the other switch, the wait (t0 to the agent's answer, from the switches' own event
// timestamps) p50/p99, lost calls (never served once the step has drained), and the CPU of each
// service and each switch (percent of one core, from /proc). The machine is shared by all of it:
// on 2 cores the figures are those of one box playing a whole site. JSON on the last line.
import { builtServerArgs } from '../lib/server-build.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createAgentMachine } from '../../server/src/acd/agent-state.ts';
import { AgentStore } from '../../server/src/store/agent-store.ts';
import { redisKeys } from '../../server/src/store/keys.ts';
import { REPO } from '../../server/test/helpers/fsim.ts';
import { freePort } from '../lib/free-port.ts';
import type { EventTap } from '../../server/test/switch/helpers/event-tap.ts';
import { freeswitchAvailability } from '../../server/test/switch/helpers/freeswitch.ts';
import { haveSipp } from '../../server/test/switch/helpers/sipp.ts';
import { agentLegs, startSwitchPair, SWITCHES, type SwitchName } from '../../server/test/switch/helpers/two-switches.ts';
import { benchLog, cliOptions, percentile, round, sleep } from './util.ts';

export const description = 'two real switches, two service processes, one Redis: served, cross-switch share, wait p99, lost, CPU per step';
export const usage = `options:
  --rates A,B,C   total call rates per second, split over both switches (default 1,2,4)
  --seconds N     seconds of calls per rate (default 20)
  --agents N      agents, half registered on each switch (default 24)
  --talk-ms N     each call's talk time, agent hangs up (default 4000)`;

const log = benchLog('two-switches');

interface Options { rates: number[]; seconds: number; agents: number; talkMs: number }

function parse(argv: readonly string[]): Options {
  const o: Options = { rates: [1, 2, 4], seconds: 20, agents: 24, talkMs: 4000 };
  for (const opt of cliOptions(argv, usage)) {
    if (opt.name === '--rates') o.rates = opt.value().split(',').map(Number);
    else if (opt.name === '--seconds') o.seconds = opt.number(1);
    else if (opt.name === '--agents') o.agents = Math.max(2, Math.round(opt.number(2)));
    else if (opt.name === '--talk-ms') o.talkMs = opt.number(100);
    else throw new Error(`unknown option ${opt.name}\n${usage}`);
  }
  if (o.rates.some((r) => !(r > 0 && r <= 50))) throw new Error(`--rates needs numbers in (0, 50]\n${usage}`);
  return o;
}

/** CPU seconds (user + system) of a process so far, from /proc/<pid>/stat (100 ticks a second). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Carrier callers on a switch that started at or after `sinceUs` (context public, inbound). */
function callersOf(tap: EventTap, sinceUs: number): string[] {
  return tap.events.filter((e) => e.name === 'CHANNEL_CREATE' && e.direction === 'inbound' && e.get('Caller-Context') === 'public' && e.tsUs >= sinceUs).map((e) => e.uuid);
}

const t0Of = (tap: EventTap, uuid: string): number | undefined =>
  tap.of(uuid, 'CHANNEL_EXECUTE_COMPLETE').find((e) => e.get('Application') === 'playback' && /welcome/.test(e.get('Application-Data') ?? ''))?.tsUs;

async function startService(name: SwitchName, env: Record<string, string>): Promise<ChildProcess> {
  // The compiled service, as production runs it.
  const child = spawn(process.execPath, await builtServerArgs(), {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOTLINE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  // Warnings and errors (pino JSON on stdout) kept for a look after the run.
  const logFile = path.join(os.tmpdir(), `two-switches-${name}.log`);
  child.stdout?.pipe(createWriteStream(logFile));
  log(`service ${name} logs (warn and up): ${logFile}`);
  child.once('exit', (code) => {
    if (code !== 0 && code !== null) log(`service ${name} exited ${code}: ${stderr}`);
  });
  return child;
}

export async function main(argv: string[]): Promise<Record<string, unknown>> {
  const o = parse(argv);
  const fsOk = freeswitchAvailability();
  if (!fsOk.ok) throw new Error(fsOk.why);
  if (!haveSipp()) throw new Error('sipp is not installed (apt-get install sip-tester)');
  const teardowns: (() => unknown)[] = [];
  const scope = { teardown: (fn: () => unknown) => void teardowns.push(fn) };
  try {
    const pair = await startSwitchPair(scope);
    const env = { HOTLINE_ACD_WRAP_UP_SEC: '0', HOTLINE_SURVEY: '{"enabled":false}', HOTLINE_RECORDING_ENABLED: 'false' };
    const httpPorts = { fs1: await freePort(), fs2: await freePort() };
    const services = {
      fs1: await startService('fs1', { ...pair.serviceEnv('fs1'), ...env, HOTLINE_HTTP_PORT: String(httpPorts.fs1) }),
      fs2: await startService('fs2', { ...pair.serviceEnv('fs2'), ...env, HOTLINE_HTTP_PORT: String(httpPorts.fs2) }),
    };
    scope.teardown(async () => {
      for (const c of Object.values(services)) {
        if (c.exitCode !== null) continue;
        const gone = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        await Promise.race([gone, sleep(10_000)]);
        c.kill('SIGKILL');
      }
    });
    // Ready: /readyz says every node connected and Redis up.
    for (const [n, port] of Object.entries(httpPorts)) {
      const deadline = Date.now() + 60_000;
      while ((await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0)) !== 200) {
        if (Date.now() > deadline) throw new Error(`service ${n} not ready within 60 s`);
        await sleep(250);
      }
    }

    const redis = new Redis(pair.redisUrl);
    scope.teardown(() => redis.quit());
    const agents = new AgentStore({ redis, keys: redisKeys('hotline'), machine: createAgentMachine({ clock: Date.now, wrapUpSec: 0, wrapUpExtendSec: 0 }) });
    const agentSwitch = new Map<string, SwitchName>();
    for (let i = 0; i < o.agents; i++) agentSwitch.set(String(1000 + i), i % 2 ? 'fs2' : 'fs1');
    // One SIPp process per switch answers for all the phones registered there (the service, not
    // the phone, is what keeps an agent to one call; the check is on the switches' legs below).
    for (const n of SWITCHES) await pair.addPhones([...agentSwitch].filter(([, on]) => on === n).map(([id]) => id), n, { answerAfterMs: 300, hangupAfterMs: o.talkMs });
    for (const id of agentSwitch.keys()) {
      await agents.create({ id, name: `Agent ${id}`, phone: `user/${id}`, skills: { general: 5 } });
      await agents.apply(id, { type: 'login' }, 'bench');
    }
    log(`${o.agents} agents ready (half on each switch); capacity about ${round(o.agents / ((o.talkMs + 1500) / 1000), 1)} calls/s`);

    const steps: Record<string, unknown>[] = [];
    for (const [k, rate] of o.rates.entries()) {
      const per = Math.max(1, Math.round((rate / 2) * o.seconds));
      const sinceUs = Date.now() * 1000;
      const cpu0 = { svc: SWITCHES.map((n) => cpuSeconds(services[n].pid)), fs: SWITCHES.map((n) => cpuSeconds(pair.fs[n].process.pid)) };
      const started = Date.now();
      log(`step ${k + 1}: ${rate} calls/s for ${o.seconds} s (${per} callers per switch)`);
      const runs = await Promise.all(SWITCHES.map((n, i) => pair.callers(n, { rate: rate / 2, calls: per, digit: 10 * k + i + 10, hangupAfterMs: 120_000 })));
      await Promise.race([Promise.all(runs.map((r) => r.exited)), sleep(o.seconds * 1000 + 90_000)]);
      const wallS = (Date.now() - started) / 1000;
      const cpu1 = { svc: SWITCHES.map((n) => cpuSeconds(services[n].pid)), fs: SWITCHES.map((n) => cpuSeconds(pair.fs[n].process.pid)) };
      runs.forEach((r) => r.kill());

      let placed = 0, served = 0, cross = 0;
      const waits: number[] = [];
      const talks = new Map<string, [number, number][]>();
      for (const n of SWITCHES) {
        for (const uuid of callersOf(pair.taps[n], sinceUs)) {
          placed++;
          const leg = agentLegs({ tap: pair.taps[n] }, uuid).find((l) => l.answeredUs !== undefined);
          if (!leg) continue;
          served++;
          talks.set(leg.agentId, [...(talks.get(leg.agentId) ?? []), [leg.answeredUs!, leg.endedUs ?? Number.MAX_SAFE_INTEGER]]);
          if (agentSwitch.get(leg.agentId) !== n) cross++;
          const t0 = t0Of(pair.taps[n], uuid);
          if (t0 !== undefined) waits.push((leg.answeredUs! - t0) / 1000);
        }
      }
      waits.sort((a, b) => a - b);
      // An agent talking on two calls at once, on either switch (the claim in Redis must prevent it).
      let doubles = 0;
      for (const list of talks.values()) {
        list.sort((a, b) => a[0] - b[0]);
        for (let i = 1; i < list.length; i++) if (list[i]![0] < list[i - 1]![1]) doubles++;
      }
      const step = {
        ratePerS: rate,
        placed,
        served,
        lost: placed - served,
        agentTwoCallsAtOnce: doubles,
        crossSwitchShare: served ? round(cross / served, 3) : null,
        waitP50Ms: round(percentile(waits, 50), 0),
        waitP99Ms: round(percentile(waits, 99), 0),
        waitMaxMs: round(waits.at(-1) ?? NaN, 0),
        wallS: round(wallS, 1),
        cpuPct: Object.fromEntries([
          ...SWITCHES.map((n, i) => [`service_${n}`, round((100 * (cpu1.svc[i]! - cpu0.svc[i]!)) / wallS, 1)]),
          ...SWITCHES.map((n, i) => [`freeswitch_${n}`, round((100 * (cpu1.fs[i]! - cpu0.fs[i]!)) / wallS, 1)]),
        ]),
      };
      // Agents out of rotation at the end of the step (ring-no-answer, phone failure), by reason.
      const out: Record<string, number> = {};
      for (const a of await agents.list()) if (a.state === 'not-ready') out[a.reason ?? 'none'] = (out[a.reason ?? 'none'] ?? 0) + 1;
      Object.assign(step, { agentsNotReadyAtEnd: out });
      log(JSON.stringify(step));
      steps.push(step);
      // The next step starts with every agent free.
      await sleep(o.talkMs + 2_000);
    }
    return { bench: 'two-switches', agents: o.agents, talkMs: o.talkMs, secondsPerStep: o.seconds, steps };
  } finally {
    for (const fn of teardowns.reverse()) await Promise.resolve(fn()).catch(() => undefined);
  }
}
