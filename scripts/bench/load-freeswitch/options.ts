// `load-freeswitch` command line: usage, defaults, parsing; the agents' talk time per rate.
import path from 'node:path';
import { cliOptions, intakeOption } from '../util.ts';

export const usage = `npm run bench -- load-freeswitch [--rate N=30 (first step, calls/s)] [--step N=5] [--max-rate N=60]
    [--seconds S=30 (measured per side and step)] [--warmup-s S=5] [--agents N=80] [--occupancy X=0.7
    (agents' load the talk time is chosen for at each rate)] [--ring-ms MS=200] [--patience-s S=30
    (a caller not bridged by then hangs up: lost)] [--max-wait-p99-ms MS=2000] [--max-lost-pct P=1]
    [--sessions-per-second N=500 (both switches; the site's vars.xml ships 60)] [--only service|callcenter]
    [--max-total-s S=540 (no new step once a step would end past it)] [--log-level info]
    [--cpu-prof DIR (V8 CPU profile of the service, node --cpu-prof)] [--recording (the service records calls, as by default)]
    [--intake socket|dialplan (who plays the welcome on the service side: freeswitch.intake; default dialplan)]
  Each step runs the same load on two fresh FreeSWITCH 1.10.12 instances, one after the other: the
  project's dialplan/ driven by the service (its own process), then the same conf with mod_callcenter
  answering 12345 itself. Steps go up until the first side fails.
  Prints one JSON object: {steps: [{rate, service: {...}, callcenter: {...}}], firstFailure, verdict, machine, ...}`;

export interface Options {
  rate: number;
  step: number;
  maxRate: number;
  seconds: number;
  warmupS: number;
  agents: number;
  occupancy: number;
  ringMs: number;
  patienceS: number;
  maxWaitP99Ms: number;
  maxLostPct: number;
  sessionsPerSecond: number;
  only: 'service' | 'callcenter' | undefined;
  maxTotalS: number;
  logLevel: string;
  cpuProf: string | undefined;
  recording: boolean;
  intake: 'socket' | 'dialplan';
}

export function parseOptions(argv: string[]): Options {
  const o: Options = {
    rate: 30, step: 5, maxRate: 60, seconds: 30, warmupS: 5, agents: 80, occupancy: 0.7, ringMs: 200, patienceS: 30,
    maxWaitP99Ms: 2000, maxLostPct: 1, sessionsPerSecond: 500, only: undefined, maxTotalS: 540, logLevel: 'info', cpuProf: undefined, recording: false, intake: 'dialplan',
  };
  for (const x of cliOptions(argv, usage)) {
    switch (x.name) {
      case '--rate': o.rate = x.number(0, true); break;
      case '--step': o.step = x.number(0, true); break;
      case '--max-rate': o.maxRate = x.number(0, true); break;
      case '--seconds': o.seconds = x.number(0, true); break;
      case '--warmup-s': o.warmupS = x.number(0); break;
      case '--agents': o.agents = Math.floor(x.number(1)); break;
      case '--occupancy': o.occupancy = x.number(0, true); break;
      case '--ring-ms': o.ringMs = Math.floor(x.number(0)); break;
      case '--patience-s': o.patienceS = x.number(1); break;
      case '--max-wait-p99-ms': o.maxWaitP99Ms = x.number(0, true); break;
      case '--max-lost-pct': o.maxLostPct = x.number(0); break;
      case '--sessions-per-second': o.sessionsPerSecond = Math.floor(x.number(1)); break;
      case '--only': {
        const v = x.value();
        if (v !== 'service' && v !== 'callcenter') throw new Error(`--only: service or callcenter\n${usage}`);
        o.only = v;
        break;
      }
      case '--max-total-s': o.maxTotalS = x.number(0, true); break;
      case '--log-level': o.logLevel = x.value(); break;
      case '--cpu-prof': o.cpuProf = path.resolve(x.value()); break;
      case '--recording': o.recording = true; break;
      case '--intake': o.intake = intakeOption(x.value(), usage); break;
      default: throw new Error(`unknown option ${x.name}\n${usage}`);
    }
  }
  // Directory users 1000-1999: the dialplan's agent_extension_regex.
  if (o.agents > 1000) throw new Error(`--agents: at most 1000\n${usage}`);
  if (o.occupancy >= 1) throw new Error(`--occupancy: below 1\n${usage}`);
  if (o.maxRate < o.rate) o.maxRate = o.rate;
  return o;
}

/** The rates of the steps, first to last. */
export function rates(o: Options): number[] {
  const out: number[] = [];
  for (let r = o.rate; r <= o.maxRate + 1e-9; r += o.step) out.push(Math.round(r * 100) / 100);
  return out;
}

/** Time an agent is held beyond its talk: the ring, plus ~0.1 s of set-up and tear-down. */
const heldBeyondTalkMs = (o: Options): number => o.ringMs + 100;

/** The agents' talk time at `rate` so that they are --occupancy busy: rate x holding time = occupancy x agents. */
export function talkMs(o: Options, rate: number): number {
  return Math.max(500, Math.round((o.occupancy * o.agents * 1000) / rate - heldBeyondTalkMs(o)));
}

/** Agent ids: directory users of the project's dialplan (agent_extension_regex ^1[0-9]{3}$). */
export const agentIds = (o: Options): string[] => Array.from({ length: o.agents }, (_, i) => String(1000 + i));
