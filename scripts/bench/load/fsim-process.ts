// `load`'s switch process (forked by fsim-child.ts): fsim routing callers through the project's
// dialplan/ to the service's outbound socket, the robot agent phones, and the load generator
// placing callers into 12345 at the asked rate. Everything is timed here, on one clock, from the
// simulated endpoints' events (calls.ts). Talks to the bench over IPC (messages in fsim-child.ts).
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startFsim } from '../../fsim/src/fsim.ts';
import { CallBook } from './calls.ts';
import { summarise } from './figures.ts';
import type { FromFsim, ToFsim, FsimSetup, RunPlan } from './fsim-child.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const send = (m: FromFsim): void => void process.send!(m);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A robot phone's next call: ring 0.3-0.7 s, talk 0.7-1.3 times the mean, then hang up first. Drawn
 * again after every call, so the agents' mean holding time does not depend on which of them the
 * router prefers.
 */
export function robotCall(talkMeanMs: number): { answerAfterMs: number; hangupAfterMs: number } {
  return { answerAfterMs: Math.round(300 + Math.random() * 400), hangupAfterMs: Math.round(talkMeanMs * (0.7 + Math.random() * 0.6)) };
}

async function setUp(s: FsimSetup): Promise<{ book: CallBook; run: (p: RunPlan) => Promise<void>; close: () => Promise<void> }> {
  const fsim = await startFsim({
    esl: { port: 0, password: s.eslPassword },
    control: false,
    dialplan: { dir: path.join(root, 'dialplan'), vars: { hotline_service_socket: `127.0.0.1:${s.outboundPort}` } },
    switch: {
      profiles: [
        { name: 'external', ip: '127.0.0.1', port: 5080, context: 'public' },
        { name: 'internal', ip: '127.0.0.1', port: 5060, context: 'agents' },
      ],
      users: s.agentExts,
      // There is no audio: every prompt (the welcome) lasts this long.
      defaultFileMs: s.welcomeMs,
      maxSessions: 20_000,
    },
  });
  const exts = new Set(s.agentExts);
  for (const ext of exts) fsim.sw.registerUser(ext, robotCall(s.talkMeanMs));
  const book = new CallBook(exts, s.wrapUpMs, () => performance.now());
  const legExt = new Map<string, string>();
  fsim.sw.onEndpointEvent((ev) => {
    book.onEvent(ev);
    if (ev.type === 'ringing' && exts.has(ev.to)) legExt.set(ev.uuid, ev.to);
    else if (ev.type === 'hangup' && legExt.has(ev.uuid)) {
      fsim.sw.registerUser(legExt.get(ev.uuid)!, robotCall(s.talkMeanMs));
      legExt.delete(ev.uuid);
    }
  });
  send({ type: 'up', eslPort: fsim.eslPort });

  const run = async (p: RunPlan): Promise<void> => {
    const t0 = performance.now();
    const measureFrom = t0 + p.warmupMs;
    const placeUntil = measureFrom + p.measureMs;
    let n = 0;
    let next = t0;
    // Poisson arrivals at the mean rate (exponential gaps): bursts and lulls as real callers make.
    const gap = (): number => (-Math.log(1 - Math.random()) * 1000) / p.rate;
    let announced = false;
    let samples = 0;
    let liveSum = 0;
    let maxLive = 0;
    let lastSample = t0;
    // The switch's own event-loop delay: every figure here passes through this loop twice (the
    // event out, the service's command in), so its delay is part of each of them.
    const lag = monitorEventLoopDelay({ resolution: 10 });
    while (performance.now() < placeUntil) {
      const now = performance.now();
      if (!announced && now >= measureFrom) {
        announced = true;
        book.measuring = true;
        lag.enable();
        send({ type: 'measuring' });
      }
      while (next <= now && next < placeUntil) {
        const uuid = fsim.sw.placeCall({
          from: `139${String(10_000_000 + (n++ % 90_000_000)).padStart(8, '0')}`,
          to: '12345',
          profile: 'external',
          // Nobody gives up by design: a caller not answered is lost, not abandoned.
          patienceMs: 3_600_000,
          hangupAfterMs: 3_600_000,
        });
        book.placed(uuid, performance.now());
        next += gap();
      }
      if (now - lastSample >= 1000) {
        lastSample = now;
        if (book.measuring) {
          samples++;
          liveSum += book.liveCalls;
          maxLive = Math.max(maxLive, book.liveCalls);
        }
        if (Math.round((now - t0) / 1000) % 10 === 0) send({ type: 'progress', atS: Math.round((now - t0) / 1000), live: book.liveCalls, waiting: book.waiting, placed: n });
      }
      await sleep(Math.max(1, Math.min(10, next - performance.now())));
    }
    book.measuring = false;
    lag.disable();
    const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
    const switchLagMs = { p50Ms: ms(lag.percentile(50)), p99Ms: ms(lag.percentile(99)), maxMs: ms(lag.max) };
    send({ type: 'placed', live: book.liveCalls, meanLive: samples ? liveSum / samples : 0, maxLive, switchLagMs });
    // Drain: every caller ends (its agent hangs up) or the drain time runs out.
    const drainUntil = performance.now() + p.drainMs;
    while (book.liveCalls > 0 && performance.now() < drainUntil) await sleep(200);
    await sleep(1000);
    send({ type: 'result', ...summarise(book, p, fsim.sw.listChannels().length, t0) });
  };
  return { book, run, close: () => fsim.close() };
}

let rig: Awaited<ReturnType<typeof setUp>> | undefined;
process.on('message', (m: ToFsim) => {
  const step = m.type === 'setup' ? setUp(m).then((r) => void (rig = r)) : m.type === 'run' ? rig!.run(m) : rig!.close().then(() => process.exit(0));
  step.catch((e: unknown) => {
    send({ type: 'fatal', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  });
});
process.on('disconnect', () => process.exit(0));
// Exit cleanly on SIGTERM, so a --cpu-prof profile is written.
process.on('SIGTERM', () => {
  // Closing thousands of sockets may take a while: exit within 3 s whatever happens.
  setTimeout(() => process.exit(0), 3000).unref();
  void (rig ? rig.close() : Promise.resolve()).finally(() => process.exit(0));
});
