// `push`'s load: open loop at --rate (paced by a 1 ms timer, no flow control), stagger and warm-up
// first, then the measured events; snapshots of the processes' CPU, RSS, run-queue wait and of
// Redis's command counts at the start and end of the measured events.
import { round, benchLog } from '../util.ts';
import { CallCycle, type Fillers } from './call-events.ts';
import type { Options } from './options.ts';
import { commandCalls, hrMs, procSample, runQueueWaitMs, type ProcSample } from './proc-stats.ts';
import type { PushRig } from './setup.ts';

const log = benchLog('push');

export interface LoadRun {
  calls: CallCycle;
  measuredEvents: number;
  /** Per agent: index in calls.sendT of its first measured event. */
  firstMeasured: number[];
  measureStartT: number;
  measureEndT: number;
  /** The service's RSS and CPU every 250 ms while the load ran. */
  samples: { t: number; rssMb: number; cpuMs: number }[];
  at: { start: Record<'server' | 'redis' | 'clients' | 'sender', ProcSample>; end: Record<'server' | 'redis' | 'clients' | 'sender', ProcSample> };
  runQueueWait: Record<string, number | null>;
  callsInMeasure: number;
  cmdsAtStart: Promise<Map<string, number>> | undefined;
}

export async function runLoad(rig: PushRig, opts: Options, events: { filler: Fillers; source: string; headersPerEvent: number }, cleanups: (() => Promise<unknown>)[]): Promise<LoadRun> {
  const { agentIds, serverPid, redisPid, clients, redis } = rig;
  const calls = new CallCycle(agentIds, opts.holds, events.filler, rig.sw);
  const { C, sendT, staggerEvents } = calls;
  const warmupEvents = staggerEvents + Math.round(opts.warmupS * opts.rate);
  const measuredEvents = Math.round(opts.seconds * opts.rate);
  const total = warmupEvents + measuredEvents;

  log(
    `${total} events at ${opts.rate}/s: stagger ${staggerEvents} + warm-up ${warmupEvents - staggerEvents} (not measured), then ${measuredEvents} measured; ` +
      `${C} events per call (${opts.holds} hold/unhold pairs), ${events.source === 'none (--event-bytes 0)' ? 'minimal events' : `~${opts.eventBytes} B / ${events.headersPerEvent}-header events`}`,
  );
  const samples: { t: number; rssMb: number; cpuMs: number }[] = [];
  const sampler = setInterval(() => {
    const s = procSample(serverPid);
    if (s) samples.push({ t: hrMs(), ...s });
  }, 250);
  cleanups.unshift(async () => clearInterval(sampler));

  const firstMeasured: number[] = agentIds.map(() => 0);
  let measureStartT = 0;
  let measureEndT = 0;
  let serverAtStart: ProcSample;
  let redisAtStart: ProcSample;
  let clientsAtStart: ProcSample;
  let senderAtStart: ProcSample;
  let callsAtStart = 0;
  let cmdsAtStart: Promise<Map<string, number>> | undefined;
  const waitPids = (): Record<string, number> => ({ service: serverPid, clients: clients.child.pid!, redis: redisPid, sender: process.pid });
  let waitAtStart: Record<string, number | undefined> = {};
  await new Promise<void>((resolve) => {
    const t0 = hrMs();
    let sent = 0;
    let lastLog = t0;
    const tick = (): void => {
      const now = hrMs();
      const due = Math.min(total, Math.floor(((now - t0) * opts.rate) / 1000));
      while (sent < due) {
        if (sent === warmupEvents) {
          for (let a = 0; a < sendT.length; a++) firstMeasured[a] = sendT[a]!.length;
          measureStartT = hrMs();
          serverAtStart = procSample(serverPid);
          redisAtStart = procSample(redisPid);
          clientsAtStart = procSample(clients.child.pid!);
          senderAtStart = procSample(process.pid);
          callsAtStart = calls.calls;
          cmdsAtStart = commandCalls(redis);
          waitAtStart = Object.fromEntries(Object.entries(waitPids()).map(([k, pid]) => [k, runQueueWaitMs(pid)]));
          log('warm-up done, measuring');
        }
        calls.fireNext();
        sent++;
      }
      if (now - lastLog > 2000) {
        lastLog = now;
        const s = procSample(serverPid);
        log(`${sent}/${total} events sent${s ? `, service RSS ${s.rssMb.toFixed(0)} MB` : ''}`);
      }
      if (sent >= total) {
        measureEndT = hrMs();
        resolve();
      } else setTimeout(tick, 1);
    };
    tick();
  });
  const serverAtEnd = procSample(serverPid);
  const redisAtEnd = procSample(redisPid);
  const clientsAtEnd = procSample(clients.child.pid!);
  const senderAtEnd = procSample(process.pid);
  const runQueueWait = Object.fromEntries(
    Object.entries(waitPids()).map(([k, pid]) => {
      const a = waitAtStart[k];
      const b = runQueueWaitMs(pid);
      return [k, a === undefined || b === undefined ? null : round(b - a, 0)];
    }),
  );
  const callsInMeasure = calls.calls - callsAtStart;
  clearInterval(sampler);
  return {
    calls,
    measuredEvents,
    firstMeasured,
    measureStartT,
    measureEndT,
    samples,
    at: {
      start: { server: serverAtStart, redis: redisAtStart, clients: clientsAtStart, sender: senderAtStart },
      end: { server: serverAtEnd, redis: redisAtEnd, clients: clientsAtEnd, sender: senderAtEnd },
    },
    runQueueWait,
    callsInMeasure,
    cmdsAtStart,
  };
}
