// `push` command line: usage, defaults, parsing.
import path from 'node:path';
import { cliOptions } from '../util.ts';

export const usage = `npm run bench -- push [--clients N=500] [--rate N=2000] [--seconds S=10] [--warmup-s S=3] [--holds N=3]
    [--event-bytes N=7168 (0: only the headers the service reads)] [--fixtures DIR] [--log-level info]
    [--server-prof DIR (V8 CPU profile of the service, node --cpu-prof)]
  Prints one JSON object: {clients, rate, seconds, events, delivered, p50Ms, p90Ms, p99Ms, maxMs, serverRssMb, targetP99Ms, pass, ...}`;

export interface Options {
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

export function parseOptions(argv: string[]): Options {
  const opts: Options = { clients: 500, rate: 2000, seconds: 10, warmupS: 3, holds: 3, eventBytes: 7168, fixtures: undefined, logLevel: 'info', serverProf: undefined };
  for (const o of cliOptions(argv, usage)) {
    const num = (min: number): number => o.number(min);
    const v = (): string => o.value();
    switch (o.name) {
      case '--clients': opts.clients = Math.floor(num(1)); break;
      case '--rate': opts.rate = num(1); break;
      case '--seconds': opts.seconds = num(0.1); break;
      case '--warmup-s': opts.warmupS = num(0); break;
      case '--holds': opts.holds = Math.floor(num(0)); break;
      case '--event-bytes': opts.eventBytes = Math.floor(num(0)); break;
      case '--fixtures': opts.fixtures = v(); break;
      case '--log-level': opts.logLevel = v(); break;
      case '--server-prof': opts.serverProf = path.resolve(v()); break;
      default: throw new Error(`unknown option ${o.name}\n${usage}`);
    }
  }
  return opts;
}
