// `push`'s results: drain (wait until every expected call:update arrived, or arrivals stop), pair
// each measured event with its agent's k-th call:update, and the figures.
import os from 'node:os';
import type { ClientsResult } from '../push-clients.ts';
import { benchLog, round, sleep } from '../util.ts';
import type { Kind } from './call-events.ts';
import type { LoadRun } from './load.ts';
import type { Options } from './options.ts';
import { commandCalls, hrMs, stats, type ProcSample } from './proc-stats.ts';
import type { PushRig } from './setup.ts';

const log = benchLog('push');

export async function results(rig: PushRig, opts: Options, run: LoadRun, events: { source: string; headersPerEvent: number }, loadStart: number[]): Promise<Record<string, unknown>> {
  const { clients, agentIds, redis, server } = rig;
  const { sendT, sendKind, C } = run.calls;
  const { firstMeasured, measureStartT, measureEndT, measuredEvents, samples } = run;
  const { headersPerEvent, source } = events;

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
  const cmdsStart = (await run.cmdsAtStart) ?? new Map<string, number>();
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
  const cpuPct = (a: ProcSample, b: ProcSample): number | null => (a && b ? round(((b.cpuMs - a.cpuMs) / 1000 / measureS) * 100, 1) : null);
  const { start, end } = run.at;
  const serverRssMb = round(Math.max(...rssInMeasure, end.server?.rssMb ?? 0), 1);
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
    callsPerS: round(run.callsInMeasure / measureS, 0),
    eventsPerCall: C,
    eventBytes: opts.eventBytes,
    headersPerEvent: opts.eventBytes === 0 ? 'minimal' : headersPerEvent,
    serverRssIdleMb: rig.idle ? round(rig.idle.rssMb, 1) : null,
    serverRssEndMb: end.server ? round(end.server.rssMb, 1) : null,
    serverCpuPct: cpuPct(start.server, end.server),
    redisCpuPct: cpuPct(start.redis, end.redis),
    // Commands the service sent per measured event (MULTI/EXEC count as commands), and the top ones.
    redisCommandsPerEvent,
    redisTopCommands,
    clientsCpuPct: cpuPct(start.clients, end.clients),
    // This process: the bench switch building and writing the events.
    senderCpuPct: cpuPct(start.sender, end.sender),
    clientsRssMb: round(res.rssMb, 1),
    // Time each process's main thread was runnable but waiting for a CPU during the measured
    // seconds: how much of the tail is the machine's (other processes) rather than the service's.
    runQueueWaitMs: run.runQueueWait,
    check: { misaligned: res.misaligned, checked: res.checked, seqErrors: res.seqErrors, extraUpdates: extra, disconnects: res.disconnects, removed: res.removed },
    // Log lines up to the end of the drain (the shutdown's own come later and are not counted).
    serverLog: { ...server.logCounts, ...(server.lastProblems.length ? { lastProblems: server.lastProblems.slice() } : {}) },
    machine: { cpus: os.cpus().length, node: process.version, loadavg1Start: round(loadStart[0]!, 2), loadavg1End: round(os.loadavg()[0]!, 2) },
    source,
  };
  log(`p50 ${all.p50Ms} ms, p99 ${all.p99Ms} ms, max ${all.maxMs} ms over ${measuredDelivered}/${measuredSent} deliveries; service RSS ${serverRssMb} MB, CPU ${result.serverCpuPct} %`);
  return result;
}
