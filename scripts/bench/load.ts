// Benchmark `load`: the whole call path at a province's peak and beyond, on fsim. Callers dial
// 12345 at --rate calls/s (Poisson arrivals) for --minutes; the project's dialplan hands each to
// the service's outbound socket; the service answers, plays the welcome prompt, queues the caller,
// rings a robot agent phone, bridges, records; the robot talks (mean chosen so the agents are
// --occupancy busy: 9 s at the defaults) and hangs up, the caller follows. Targets (issue #15): 100 calls/s for 5 min with ~2,000 concurrent calls and 1,000 agents,
// 0 lost or stuck calls, agent free -> next offer p99 <= 10 ms, event-loop lag p99 < 20 ms,
// <= 4 KB of heap per live call, RSS <= 300 MB.
//
// Processes: a redis-server of its own; the switch process (load/fsim-process.ts: fsim, the 1,000
// robot phones and the load generator, timing everything from the simulated endpoints' events);
// the service (`node server/dist/server.js`, compiled, configured through HOTLINE_* as in
// production, run with --inspect on loopback); and this one, which reads the service's event-loop
// delay histogram and forced-GC heap over the inspector and its RSS and CPU from /proc.
//
// Definitions: "joined the queue" is the end of the caller's welcome prompt; wait = joined ->
// bridged to an agent; dispatch = joined -> the agent's phone rings; free -> offer = an agent's
// phone hangs up while callers wait (more than phones already freed for them) -> that phone rings
// again; lost = offered and never bridged (nobody gives up by design); stuck = offered and still up
// after the drain. Heap per live call = (GC'd heap at the end of placing - GC'd heap before the
// load) / live calls at that moment. Parts in load/.
import os from 'node:os';
import { procSample } from './push/proc-stats.ts';
import { benchLog, round, sleep } from './util.ts';
import { parseOptions, talkMeanMs } from './load/options.ts';
import { ServiceProbe } from './load/probe.ts';
import { agentExt, setUp } from './load/setup.ts';
import { verdict } from './load/verdict.ts';
import { readFreeToOffer, windowPct } from './load/service-histogram.ts';

export { usage } from './load/options.ts';
export const description =
  'calls through welcome, queue, agent ring, talk, hang-up on fsim (own process) with robot agents: calls/s, concurrency, wait/dispatch/free->offer p50/p99, lost/stuck, event-loop lag, heap per call, RSS';

const log = benchLog('load');
const MB = 1024 * 1024;

export async function main(argv: string[]): Promise<Record<string, unknown>> {
  const opts = parseOptions(argv);
  const cleanups: (() => Promise<unknown>)[] = [];
  const loadStart = os.loadavg();
  try {
    const rig = await setUp(opts, cleanups);
    const { fsim, probe, serverPid } = rig;
    await sleep(2000);
    const idleHeap = await probe.heapAfterGc();
    const idle = procSample(serverPid);
    const idleTypes = opts.heapTypes ? await probe.heapSummary() : undefined;
    log(`idle: heap ${(idleHeap / MB).toFixed(1)} MB, RSS ${idle?.rssMb.toFixed(0)} MB; ${opts.rate} calls/s for ${opts.warmupS} s warm-up + ${opts.minutes} min`);

    let maxRss = 0;
    const rssTimer = setInterval(() => void (maxRss = Math.max(maxRss, procSample(serverPid)?.rssMb ?? 0)), 1000);
    cleanups.unshift(async () => clearInterval(rssTimer));
    fsim.onProgress((m) => log(`${m.atS} s: placed ${m.placed}, live ${m.live}, waiting ${m.waiting}, service RSS ${procSample(serverPid)?.rssMb.toFixed(0)} MB`));
    const measureMs = opts.minutes * 60_000;
    fsim.send({ type: 'run', rate: opts.rate, warmupMs: opts.warmupS * 1000, measureMs, drainMs: opts.drainS * 1000 });

    await fsim.next('measuring', opts.warmupS * 1000 + 60_000);
    await probe.resetLag();
    const histStart = await readFreeToOffer(rig.metricsUrl);
    const cpu0 = { service: procSample(serverPid), fsim: procSample(fsim.child.pid!), redis: procSample(rig.redisPid) };
    const t0 = Date.now();
    const placed = await fsim.next('placed', measureMs + 120_000);
    const lag = await probe.lag();
    const serviceFreeToOffer = windowPct(histStart, await readFreeToOffer(rig.metricsUrl));
    const secs = (Date.now() - t0) / 1000;
    const cpuPct = (k: keyof typeof cpu0, pid: number): number => round((((procSample(pid)?.cpuMs ?? NaN) - (cpu0[k]?.cpuMs ?? NaN)) / (secs * 1000)) * 100, 1);
    const cpu = { service: cpuPct('service', serverPid), fsim: cpuPct('fsim', fsim.child.pid!), redis: cpuPct('redis', rig.redisPid) };
    const peakRss = procSample(serverPid)?.rssMb ?? NaN;
    const peakHeap = await probe.heapAfterGc();
    const peakTypes = idleTypes ? await probe.heapSummary() : undefined;
    log(`placing done: ${placed.live} live calls, lag p99 ${lag.p99Ms} ms, heap ${(peakHeap / MB).toFixed(1)} MB, CPU service ${cpu.service}% fsim ${cpu.fsim}% redis ${cpu.redis}%; draining`);

    const result = await fsim.next('result', opts.drainS * 1000 + 60_000);
    const drainedHeap = await probe.heapAfterGc();
    clearInterval(rssTimer);
    const { type: _t, ...calls } = result;
    const heapPerLiveCallKb = round((peakHeap - idleHeap) / 1024 / Math.max(1, placed.live), 2);
    const figures = {
      offeredPerS: calls.offeredPerS,
      completedPerS: calls.completedPerS,
      concurrentCalls: { mean: Math.round(placed.meanLive), max: placed.maxLive, atEnd: placed.live },
      waitMs: calls.waitMs,
      dispatchMs: calls.dispatchMs,
      freeToOfferMs: calls.freeToOfferMs,
      // The same, inside the service: the agent's hang-up event read -> its next originate sent.
      serviceFreeToOfferMs: serviceFreeToOffer,
      lost: calls.lost,
      stuck: calls.stuck,
      eventLoopLagMs: lag,
      // fsim's, measured in its process over the same window (not a target: where time goes).
      switchEventLoopLagMs: placed.switchLagMs,
      heapPerLiveCallKb,
      rssMb: { idle: round(idle?.rssMb ?? NaN, 1), atEnd: round(peakRss, 1), max: round(maxRss, 1) },
    };
    const v = verdict(opts, figures);
    return {
      bench: 'load',
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGb: round(os.totalmem() / 1024 ** 3, 1), node: process.version, loadavgAtStart: loadStart.map((x) => round(x)) },
      rate: opts.rate,
      minutes: opts.minutes,
      agents: opts.agents,
      agentPhones: `user/${agentExt(0)}-${agentExt(opts.agents - 1)}`,
      welcomeS: opts.welcomeS,
      intake: opts.intake,
      occupancy: opts.occupancy,
      talkMeanS: talkMeanMs(opts) / 1000,
      ...figures,
      offered: calls.offered,
      completed: calls.completed,
      neverQueued: calls.neverQueued,
      channelsLeft: calls.channelsLeft,
      causes: calls.causes,
      maxWaiting: calls.maxWaiting,
      callLifeP50Ms: calls.callLifeP50Ms,
      heapMb: { idle: round(idleHeap / MB), atEnd: round(peakHeap / MB), drained: round(drainedHeap / MB) },
      heapRetainedPerCompletedCallB: round((drainedHeap - idleHeap) / Math.max(1, calls.offered), 0),
      cpuPctOfOneCore: cpu,
      ...(idleTypes && peakTypes ? { heapGrowthByType: ServiceProbe.growth(idleTypes, peakTypes).map((g) => ({ type: g.type, count: g.countEnd - g.countStart, kb: round(g.bytesGrowth / 1024, 1) })) } : {}),
      serviceLog: rig.server.logCounts,
      serviceProblems: rig.server.lastProblems,
      ...v,
    };
  } finally {
    for (const c of cleanups) await c().catch((e: unknown) => console.error(`load: cleanup: ${e instanceof Error ? e.message : String(e)}`));
  }
}
