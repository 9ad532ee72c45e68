// Measurement per phase of `route`: Redis requests and commands (INFO commandstats), Redis and node
// CPU, run-queue waits (the machine's share of the tail), the tick's durations, event-loop delay
// and peak RSS.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { percentile, round } from '../util.ts';
import type { DecisionTracker, PhaseName } from './decisions.ts';
import { redisInfo, redisPid, runQueueWaitNs, type BenchRedis } from './redis.ts';

export class PhaseMeter {
  /** Per phase: its figures (seconds, events, redis_requests, ...), as reported. */
  readonly phaseInfo: Record<string, Record<string, unknown>> = {};
  /** Durations of the ACD tick's runs (ms) since the last phase ended. */
  readonly tickMs: number[] = [];

  private constructor(
    private readonly r: BenchRedis,
    private readonly tracker: DecisionTracker,
    private readonly rssPeak: Partial<Record<PhaseName, number>>,
    private readonly loop: IntervalHistogram,
    private readonly rPid: number | undefined,
    private readonly settle: () => Promise<void>,
  ) {}

  /** Starts the RSS sampler and the event-loop monitor (their stop steps go onto `stopAll`). */
  static async start(r: BenchRedis, tracker: DecisionTracker, settle: () => Promise<void>, stopAll: (() => Promise<unknown>)[]): Promise<PhaseMeter> {
    const rssPeak: Partial<Record<PhaseName, number>> = {};
    const rssTimer = setInterval(() => {
      const mb = process.memoryUsage().rss / 1048576;
      rssPeak[tracker.phase] = Math.max(rssPeak[tracker.phase] ?? 0, mb);
    }, 100);
    stopAll.push(async () => clearInterval(rssTimer));
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    stopAll.push(async () => loop.disable());
    const rPid = await redisPid(r.port);
    return new PhaseMeter(r, tracker, rssPeak, loop, rPid, settle);
  }

  /** Runs one phase (`body` returns the number of events it fired), then settles and files its figures. */
  async run(name: PhaseName, body: () => Promise<number>): Promise<void> {
    const { infoConn, counter } = this.r;
    const { rPid, loop, tickMs } = this;
    this.tracker.phase = name;
    loop.reset();
    const before = await redisInfo(infoConn);
    const wait0 = [await runQueueWaitNs('self'), rPid ? await runQueueWaitNs(rPid) : 0];
    const req0 = counter.requests;
    const cpu0 = process.cpuUsage();
    const t = performance.now();
    const events = await body();
    await this.settle();
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
    // Both scripts, the claim and the agent write, run by SHA: commandstats cannot tell them apart.
    const evalsha = delta('evalsha');
    this.phaseInfo[name] = {
      seconds: round(seconds, 1),
      events,
      redis_requests: counter.requests - req0,
      redis_commands_incl_in_scripts: serverCalls,
      redis_cpu_ms: round((after.cpuS - before.cpuS) * 1000, 0),
      node_cpu_ms: round((cpu.user + cpu.system) / 1000, 0),
      // Time runnable but not running (another process had the CPU): the machine's share of the tail.
      node_run_queue_wait_ms: round((wait1[0]! - wait0[0]!) / 1e6, 0),
      redis_run_queue_wait_ms: rPid ? round((wait1[1]! - wait0[1]!) / 1e6, 0) : null,
      scripts_us_per_call: evalsha.calls ? round(evalsha.usec / evalsha.calls, 1) : null,
      script_calls: evalsha.calls,
      redis_commands_top: Object.fromEntries(top),
      tick_ms: ticks.length ? { n: ticks.length, p50: round(percentile(ticks, 50), 1), max: round(ticks[ticks.length - 1]!, 1) } : null,
      redis_used_mb: round(after.usedMb, 1),
      event_loop_delay_p99_ms: round(loop.percentile(99) / 1e6, 2),
      rss_mb: round(this.rssPeak[name] ?? process.memoryUsage().rss / 1048576, 1),
    };
    console.error(`route: ${name} done in ${seconds.toFixed(1)} s, ${events} events, ${this.tracker.samples.filter((s) => s.phase === name).length} decisions`);
  }
}
