// One side at one rate, from nothing to nothing: a fresh FreeSWITCH on the project's dialplan/ (the
// service side) or on the same conf with mod_callcenter answering 12345 (conf.ts); the agents'
// phones (one SIPp UAS for all of them, every agent registered to it); on the service side Redis
// and the service; the bench's call book; then SIPp callers at `rate` for warm-up + measured
// seconds, the drain, the figures, and everything stopped.
import { freePort } from '../../lib/free-port.ts';
import { procSample } from '../push/proc-stats.ts';
import { ADDR, startFreeswitch, type SitePorts } from '../../../server/test/switch/helpers/freeswitch.ts';
import { callerXml, phoneXml } from '../../../server/test/switch/helpers/sipp-scenarios.ts';
import { benchLog, round, sleep } from '../util.ts';
import { CallBook } from './call-book.ts';
import { callcenterPrepare, limitsPrepare, WELCOME } from './conf.ts';
import { summarise, type SideFigures } from './figures.ts';
import { agentIds, talkMs, type Options } from './options.ts';
import { startServiceSide } from './service.ts';
import { registerAgents, startSipp } from './sipp-load.ts';

export type SideName = 'service' | 'callcenter';

export interface SideResult extends SideFigures {
  rate: number;
  talkMs: number;
  /** Share of one core over the measured seconds. */
  cpuPctOfOneCore: { service?: number; redis?: number; freeswitch: number };
  /** The service's CPU (share of one core) over 5 s with no calls, before the callers start. */
  serviceIdleCpuPct?: number;
  switchDied: boolean;
  serviceDied?: boolean;
  /** Channels the switch still had after the drain (`show channels count`). */
  channelsLeft: number | null;
  callerSippExit: number | null;
  problems: string[];
  serviceLog?: Record<string, number>;
  seconds: number;
}

const log = benchLog('load-freeswitch');
const DID = '12345';
const IDLE_SAMPLE_MS = 5000;

export async function ports(): Promise<SitePorts> {
  const p = (): Promise<number> => freePort();
  // A wide RTP range of its own, away from the switch suite's (20000-32000).
  return { esl: await p(), outbound: await p(), internalSip: await p(), externalSip: await p(), ws: await p(), wss: await p(), rtpStart: 40_000, rtpEnd: 49_998, carrier: await p(), gw110: await p(), dept: await p(), peer: await p() };
}

export async function runSide(side: SideName, rate: number, o: Options): Promise<SideResult> {
  const began = Date.now();
  const cleanups: (() => Promise<unknown>)[] = [];
  const problems: string[] = [];
  try {
    const agents = agentIds(o);
    const talk = talkMs(o, rate);
    const p = await ports();
    const prepare = side === 'callcenter' ? callcenterPrepare({ agents, sessionsPerSecond: o.sessionsPerSecond }) : limitsPrepare(o.sessionsPerSecond);
    const fs = await startFreeswitch({ ports: p, agents, prepare });
    cleanups.unshift(() => fs.kill());
    const fsPid = fs.process.pid!;

    // The agents' phones: ring, answer, talk, hang up (the caller follows).
    const uas = await startSipp({ name: 'agents', xml: phoneXml({ answerAfterMs: o.ringMs, hangupAfterMs: talk, audio: false }), ip: ADDR.agents, args: [] });
    cleanups.unshift(() => uas.kill());
    await registerAgents({ users: agents, remote: `127.0.0.1:${p.internalSip}`, contactPort: uas.sipPort });

    const svc = side === 'service' ? await startServiceSide(o, { eslPort: p.esl, eslPassword: fs.eslPassword, outboundPort: p.outbound }, agents, cleanups) : undefined;
    const book = new CallBook({ port: p.esl, password: fs.eslPassword, did: DID, welcome: WELCOME });
    await book.start();
    cleanups.unshift(async () => book.stop());
    // The service's CPU with no call at all (its timers, the switch's heartbeats): the floor under its per-call cost.
    let serviceIdleCpuPct: number | undefined;
    if (svc) {
      const [a, at] = [procSample(svc.pid)?.cpuMs ?? NaN, Date.now()];
      await sleep(IDLE_SAMPLE_MS);
      serviceIdleCpuPct = round((100 * ((procSample(svc.pid)?.cpuMs ?? NaN) - a)) / (Date.now() - at), 1);
    }
    log(`${side} @ ${rate}/s: switch pid ${fsPid}${svc ? `, service pid ${svc.pid}` : ''}, ${agents.length} agents registered, talk ${talk} ms`);

    const total = Math.round(rate * (o.warmupS + o.seconds));
    const callers = await startSipp({
      name: 'callers',
      xml: callerXml({ from: '1380[call_number]', to: DID, audio: false, hangupAfterMs: o.patienceS * 1000 }),
      ip: ADDR.carrier,
      args: [`127.0.0.1:${p.externalSip}`, '-r', String(rate), '-rp', '1000', '-m', String(total), '-l', '5000'],
    });
    cleanups.unshift(() => callers.kill());
    const t0 = Date.now();
    const window = { fromMs: t0 + o.warmupS * 1000, toMs: t0 + (o.warmupS + o.seconds) * 1000 };
    const pids = { freeswitch: fsPid, ...(svc ? { service: svc.pid, redis: svc.redisPid } : {}) };
    await sleep(window.fromMs - Date.now());
    const cpuFrom = Date.now();
    const cpu0 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, procSample(pid)?.cpuMs ?? NaN]));
    const progress = setInterval(() => {
      const live = book.live();
      log(`${side} @ ${rate}/s: ${Math.round((Date.now() - t0) / 1000)} s, callers ${book.callers.size} (up ${live.callers}), agent legs up ${live.agents}`);
    }, 10_000);
    cleanups.unshift(async () => clearInterval(progress));
    await sleep(window.toMs - Date.now());
    // Over the time between the two samples as taken (a starved bench samples late).
    const cpuSpanMs = Date.now() - cpuFrom;
    const cpuPctOfOneCore = Object.fromEntries(
      Object.entries(pids).map(([k, pid]) => [k, round((100 * ((procSample(pid)?.cpuMs ?? NaN) - cpu0[k]!)) / cpuSpanMs, 1)]),
    ) as SideResult['cpuPctOfOneCore'];

    // Drain: every caller has hung up (SIPp exits), or the last one's patience and talk have passed.
    const drainUntil = window.toMs + o.patienceS * 1000 + talk + 15_000;
    while (Date.now() < drainUntil && callers.child.exitCode === null && fs.process.exitCode === null) await sleep(250);
    clearInterval(progress);
    await sleep(1000);
    const switchDied = fs.process.exitCode !== null || fs.process.signalCode !== null;
    const serviceDied = svc ? svc.server.child.exitCode !== null || svc.server.child.signalCode !== null : undefined;
    let channelsLeft: number | null = null;
    if (!switchDied) channelsLeft = Number(/(\d+) total/.exec(await book.api('show channels count').catch(() => ''))?.[1] ?? NaN);
    if (callers.child.exitCode === null) problems.push('callers still running at the end of the drain');
    const callerProblems = await callers.problems();
    if (callerProblems) problems.push(`callers: ${callerProblems.slice(-600)}`);
    if (switchDied) problems.push(`FreeSWITCH died (${fs.process.exitCode ?? fs.process.signalCode}): ${(await fs.errors()).slice(-5).join(' | ')}`);
    const figures = summarise(book, window, total);
    log(`${side} @ ${rate}/s: offered ${figures.offered}, lost ${figures.lost}, refused ${figures.refused}, wait p99 ${figures.waitMs.p99Ms} ms, dispatch p99 ${figures.dispatchMs.p99Ms} ms, CPU ${JSON.stringify(cpuPctOfOneCore)}`);
    return {
      rate,
      talkMs: talk,
      ...figures,
      cpuPctOfOneCore,
      ...(serviceIdleCpuPct !== undefined ? { serviceIdleCpuPct } : {}),
      switchDied,
      ...(serviceDied !== undefined ? { serviceDied } : {}),
      channelsLeft,
      callerSippExit: callers.child.exitCode,
      problems: [...problems, ...(svc?.server.lastProblems ?? []).map((l) => `service: ${l}`)],
      ...(svc ? { serviceLog: svc.server.logCounts } : {}),
      seconds: round((Date.now() - began) / 1000, 1),
    };
  } finally {
    for (const c of cleanups) await c().catch((e: unknown) => log(`cleanup: ${e instanceof Error ? e.message : String(e)}`));
  }
}
