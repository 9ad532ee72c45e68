// Benchmark `faults` (issue #15, deliverable 3): the service under faults, each fault a module of
// scripts/bench/faults/ run in turn on its own Redis, switch and service(s), torn down before the
// next. Each records the figures it measured and the checks that failed; the bench exits 1 if any
// fault failed. Too long for the CI test budget, so a benchmark; smaller versions of most are tests
// (see scripts/bench/README.md, "faults").
import { Checks, log, Scope, type FaultModule, type FaultOptions, type FaultOutcome } from './faults/common.ts';
import { kill9 } from './faults/kill9.ts';
import { eslDrop } from './faults/esl-drop.ts';
import { redisRestart } from './faults/redis-restart.ts';
import { twoInstances } from './faults/two-instances.ts';
import { slowClient } from './faults/slow-client.ts';
import { switchRestart } from './faults/switch-restart.ts';
import { cliOptions, round } from './util.ts';

const FAULTS: readonly FaultModule[] = [kill9, eslDrop, redisRestart, twoInstances, slowClient, switchRestart];

export const description = 'fault suite: kill -9 with callers queued, ESL drop, Redis restart, two instances racing, a slow Socket.IO client, the real FreeSWITCH restarted';
export const usage = `options:
  --only NAME[,NAME]   run only these faults (${FAULTS.map((f) => f.name).join(', ')})
  --callers N          kill9: callers queued at the kill (200)
  --routings N         two-instances: routings to do (10000)
  --routings-max-s N   two-instances: time budget for them; the count reached is reported (300)
  --fault-max-s N      any fault: fails if it has not finished by then (600)`;

export async function main(argv: string[]): Promise<Record<string, unknown>> {
  const opts: FaultOptions = { callers: 200, routings: 10_000, routingsMaxS: 300 };
  let only: string[] | undefined;
  let faultMaxS = 600;
  for (const o of cliOptions(argv, usage)) {
    if (o.name === '--only') only = o.value().split(',');
    else if (o.name === '--callers') opts.callers = o.number(1);
    else if (o.name === '--routings') opts.routings = o.number(1);
    else if (o.name === '--routings-max-s') opts.routingsMaxS = o.number(1);
    else if (o.name === '--fault-max-s') faultMaxS = o.number(1);
    else throw new Error(`unknown option ${o.name}\n${usage}`);
  }
  const unknown = only?.filter((n) => !FAULTS.some((f) => f.name === n)) ?? [];
  if (unknown.length) throw new Error(`unknown fault(s): ${unknown.join(', ')}\n${usage}`);
  const faults: Record<string, FaultOutcome> = {};
  for (const fault of FAULTS.filter((f) => !only || only.includes(f.name))) {
    log(`${fault.name}: ${fault.description}`);
    const started = Date.now();
    const scope = new Scope();
    const checks = new Checks();
    const figures: Record<string, unknown> = {};
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not finished within ${faultMaxS} s`)), faultMaxS * 1000);
      });
      await Promise.race([fault.run(scope, checks, figures, opts), timeout]);
    } catch (err) {
      checks.check(false, `threw: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clearTimeout(timer);
      await scope.close();
    }
    faults[fault.name] = { passed: checks.failed.length === 0, figures, failed: checks.failed, seconds: round((Date.now() - started) / 1000, 1) };
    log(`${fault.name}: ${checks.failed.length === 0 ? 'PASSED' : 'FAILED'} in ${faults[fault.name]!.seconds} s ${JSON.stringify(figures)}`);
  }
  const passed = Object.values(faults).every((f) => f.passed);
  if (!passed) process.exitCode = 1;
  return { bench: 'faults', passed, faults, options: opts, node: process.version };
}
