// `load` command line: usage, defaults, parsing.
import path from 'node:path';
import { cliOptions, intakeOption } from '../util.ts';

export const usage = `npm run bench -- load [--rate N=100] [--minutes M=5] [--agents N=1000] [--warmup-s S=30]
    [--welcome-s S=11 (the welcome prompt's length)] [--occupancy X=0.95 (agents' load the talk time is chosen for)]
    [--drain-s S=90] [--log-level info] [--heap-types (heap snapshots before the load and at its end: the types that grew;
    the snapshots inflate the service's RSS)]
    [--cpu-prof DIR (V8 CPU profiles of the service and of fsim, node --cpu-prof)]
    [--intake socket|dialplan (who plays the welcome: freeswitch.intake; default dialplan)]
  Prints one JSON object: {offeredPerS, completedPerS, concurrentCalls, waitMs, dispatchMs, freeToOfferMs,
    lost, stuck, eventLoopLagMs, heapPerLiveCallKb, rssMb, targets, pass, ...}`;

export interface Options {
  rate: number;
  minutes: number;
  agents: number;
  warmupS: number;
  welcomeS: number;
  occupancy: number;
  drainS: number;
  logLevel: string;
  cpuProf: string | undefined;
  heapTypes: boolean;
  intake: 'socket' | 'dialplan';
}

export function parseOptions(argv: string[]): Options {
  const opts: Options = { rate: 100, minutes: 5, agents: 1000, warmupS: 30, welcomeS: 11, occupancy: 0.95, drainS: 90, logLevel: 'info', cpuProf: undefined, heapTypes: false, intake: 'dialplan' };
  for (const o of cliOptions(argv, usage)) {
    switch (o.name) {
      case '--rate': opts.rate = o.number(0, true); break;
      case '--minutes': opts.minutes = o.number(0, true); break;
      case '--agents': opts.agents = Math.floor(o.number(1)); break;
      case '--warmup-s': opts.warmupS = o.number(0); break;
      case '--welcome-s': opts.welcomeS = o.number(0); break;
      case '--occupancy': opts.occupancy = o.number(0, true); break;
      case '--drain-s': opts.drainS = o.number(1); break;
      case '--log-level': opts.logLevel = o.value(); break;
      case '--heap-types': opts.heapTypes = true; break;
      case '--intake': opts.intake = intakeOption(o.value(), usage); break;
      case '--cpu-prof': opts.cpuProf = path.resolve(o.value()); break;
      default: throw new Error(`unknown option ${o.name}\n${usage}`);
    }
  }
  if (opts.agents > 9999) throw new Error(`--agents: at most 9999\n${usage}`);
  if (opts.occupancy >= 1) throw new Error(`--occupancy: below 1 (at 1 or more the queue grows without end)\n${usage}`);
  return opts;
}

/** Robots ring 0.5 s on average; an agent is held ~0.1 s more by the service's commands. */
const HELD_BEYOND_TALK_MS = 600;

/** The robots' mean talk time that loads the agents at --occupancy: rate x holding time = occupancy x agents. */
export function talkMeanMs(o: Options): number {
  return Math.max(1000, Math.round((o.occupancy * o.agents * 1000) / o.rate - HELD_BEYOND_TALK_MS));
}
