// Benchmark `load-freeswitch` (issue #15): the `load` call path (welcome, queue, agent ring, answer,
// talk, hang-up, robot agents) on the real FreeSWITCH 1.10.12 of ../shared/freeswitch with SIPp
// callers and agent phones, side by side with the same load through FreeSWITCH's own
// mod_callcenter. Per step (rate), one side after the other on a fresh switch each (never at the
// same time: the machine has 2 cores): the service (its own process, driving the project's
// dialplan/), then mod_callcenter (the same conf plus the module, a queue and a 12345 extension:
// load-freeswitch/conf.ts). Same agents, same talk time, same callers. The rate steps up until the
// first of the two fails (lost or refused calls > 1 %, wait p99 > 2 s, the switch or service dies).
// Targets at 30 calls/s: the service's wait p99 no worse than mod_callcenter's, the service's own
// CPU <= 15 % of one core. Figures come from the switch's own events (load-freeswitch/call-book.ts).
import os from 'node:os';
import { existsSync } from 'node:fs';
import { FREESWITCH_BIN } from '../../server/test/switch/helpers/freeswitch.ts';
import { haveSipp } from '../../server/test/switch/helpers/sipp.ts';
import { benchLog, round } from './util.ts';
import { parseOptions, rates, talkMs } from './load-freeswitch/options.ts';
import { runSide, type SideName } from './load-freeswitch/side.ts';
import { failures, verdict, type Step } from './load-freeswitch/verdict.ts';

export { usage } from './load-freeswitch/options.ts';
export const description =
  'the load path on the real FreeSWITCH with SIPp callers and agent phones, the service vs mod_callcenter side by side, rate stepped up until one fails: wait/dispatch p99, lost, CPU';

const log = benchLog('load-freeswitch');

export async function main(argv: string[]): Promise<Record<string, unknown>> {
  const o = parseOptions(argv);
  if (!existsSync(FREESWITCH_BIN)) throw new Error(`no FreeSWITCH bundle at ${FREESWITCH_BIN} (set FREESWITCH_BIN)`);
  if (!haveSipp()) throw new Error('sipp not found (apt-get install sip-tester, or set SIPP_BIN)');
  const began = Date.now();
  const loadStart = os.loadavg();
  const sides: SideName[] = o.only ? [o.only] : ['service', 'callcenter'];
  const steps: Step[] = [];
  let stoppedBy = 'max rate reached';
  for (const rate of rates(o)) {
    const elapsed = (Date.now() - began) / 1000;
    const lastStepS = steps.length ? elapsed / steps.length : sides.length * (30 + o.warmupS + o.seconds + talkMs(o, rate) / 1000);
    if (steps.length > 0 && elapsed + lastStepS > o.maxTotalS) {
      stoppedBy = `time budget (--max-total-s ${o.maxTotalS})`;
      break;
    }
    const step: Step = { rate };
    for (const side of sides) {
      const r = await runSide(side, rate, o);
      step[side] = { ...r, failed: failures(r, o) };
    }
    steps.push(step);
    const failed = sides.filter((s) => (step[s]?.failed.length ?? 0) > 0);
    if (failed.length > 0) {
      stoppedBy = `${failed.join(' and ')} failed at ${rate} calls/s: ${failed.map((s) => step[s]!.failed.join(', ')).join('; ')}`;
      log(stoppedBy);
      break;
    }
  }
  return {
    bench: 'load-freeswitch',
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGb: round(os.totalmem() / 1024 ** 3, 1), node: process.version, loadavgAtStart: loadStart.map((x) => round(x)) },
    options: o,
    steps,
    stoppedBy,
    ...verdict(steps),
    seconds: round((Date.now() - began) / 1000, 1),
  };
}
