// Benchmark `soak`: does anything in the service grow without bound under the demo's traffic?
//
// Runs `npm start` itself (scripts/start.ts: its own redis-server, fsim with the demo's robots and
// callers, the service as a child process) on free ports and a throw-away data folder, for a set
// time. The service is started with --inspect on loopback; through the inspector the bench forces a
// garbage collection and reads process.memoryUsage() every --sample-sec (so heap figures are live
// data, not garbage waiting for collection), and takes a heap snapshot after the warm-up and at the
// end. Reported: RSS and heap at the start (after warm-up) and end, the heap's growth per hour
// (least-squares slope over the post-warm-up samples), and the types whose bytes grew most between
// the two snapshots. One /ops Socket.IO client (a wallboard) stays connected throughout.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { answers, startChild, waitUntil } from '../lib/child.ts';
import { freePort } from '../lib/free-port.ts';
import { growth, Inspector, takeSummary } from './soak-heap.ts';
import { benchLog, cliOptions, round, sleep } from './util.ts';

export const description = 'the demo (npm start) for a set time: service RSS and heap at start and end, heap growth per hour, growing types';
export const usage = `options:
  --minutes N       how long to run after the warm-up (30)
  --warmup-min N    warm-up before the first snapshot (2)
  --sample-sec N    GC and memory sample interval (30)
  --schedule JSON   demo schedule overrides, e.g. {"steadyEverySec":5} (scripts/fsim/src/demo.ts)`;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const log = benchLog('soak');
const MB = 1024 * 1024;

interface Sample {
  atSec: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function login(base: string, username: string): Promise<string> {
  const res = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'demo12345' }) });
  return ((await res.json()) as { token: string }).token;
}

export async function main(argv: string[]): Promise<Record<string, unknown>> {
  let minutes = 30;
  let warmupMin = 2;
  let sampleSec = 30;
  let schedule = '{}';
  for (const o of cliOptions(argv, usage)) {
    if (o.name === '--minutes') minutes = o.number(0, true);
    else if (o.name === '--warmup-min') warmupMin = o.number(0);
    else if (o.name === '--sample-sec') sampleSec = o.number(1);
    else if (o.name === '--schedule') schedule = o.value();
    else throw new Error(`unknown option ${o.name}\n${usage}`);
  }

  const dataDir = await mkdtemp(path.join(tmpdir(), 'soak-'));
  const [http, esl, control, outbound, redisPort, inspect] = await Promise.all(Array.from({ length: 6 }, () => freePort()));
  const base = `http://127.0.0.1:${http}`;
  const launcher = startChild('npm start', process.execPath, ['--import', 'tsx', path.join(root, 'scripts/start.ts')], {
    cwd: root,
    // The service's and fsim's logs are not the subject: warnings only, discarded.
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      HOTLINE_DEMO_BUILD: '0',
      HOTLINE_DEMO_DATA_DIR: dataDir,
      HOTLINE_DEMO_REDIS_PORT: String(redisPort),
      HOTLINE_DEMO_SCHEDULE: schedule,
      HOTLINE_DEMO_SERVICE_NODE_OPTIONS: `--inspect=127.0.0.1:${inspect}`,
      HOTLINE_HTTP_PORT: String(http),
      HOTLINE_FS_OUTBOUND_PORT: String(outbound),
      FSIM_ESL_PORT: String(esl),
      FSIM_CONTROL_PORT: String(control),
      HOTLINE_LOG_LEVEL: 'warn',
    },
  });
  let inspector: Inspector | undefined;
  let wallboard: ReturnType<typeof io> | undefined;
  try {
    await waitUntil('the demo', () => answers(`${base}/healthz`), 90_000, launcher);
    inspector = await Inspector.connect(inspect!);
    const pid = await inspector.evaluate<number>('process.pid');
    const opsToken = await login(base, 'ops');
    let deltas = 0;
    wallboard = io(`${base}/ops`, { transports: ['websocket'], auth: { token: opsToken } });
    wallboard.onAny(() => void deltas++);

    const t0 = Date.now();
    const sample = async (): Promise<Sample> => {
      await inspector!.send('HeapProfiler.collectGarbage');
      const m = await inspector!.evaluate<{ heapUsed: number; heapTotal: number; external: number }>('(() => { const m = process.memoryUsage(); return { heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external }; })()');
      return { atSec: Math.round((Date.now() - t0) / 1000), rssMb: round(await rssMb(pid), 1), heapUsedMb: round(m.heapUsed / MB, 2), heapTotalMb: round(m.heapTotal / MB, 1), externalMb: round(m.external / MB, 1) };
    };

    log(`service pid ${pid}; warming up for ${warmupMin} min`);
    await sleep(warmupMin * 60_000);
    const first = await sample();
    const startHeap = await takeSummary(inspector);
    const samples: Sample[] = [first];
    log(`start: RSS ${first.rssMb} MB, heap used ${first.heapUsedMb} MB; running ${minutes} min`);
    const end = t0 + (warmupMin + minutes) * 60_000;
    while (Date.now() < end) {
      await sleep(Math.min(sampleSec * 1000, Math.max(0, end - Date.now())));
      const s = await sample();
      samples.push(s);
      log(`${Math.round((s.atSec - first.atSec) / 60)} min: RSS ${s.rssMb} MB, heap used ${s.heapUsedMb} MB`);
    }
    const last = samples[samples.length - 1]!;
    const endHeap = await takeSummary(inspector);
    const hours = samples.map((s) => (s.atSec - first.atSec) / 3600);
    const sla = (await (await fetch(`${base}/api/sla`, { headers: { authorization: `Bearer ${opsToken}` } })).json()) as { today: { offered: number; answered: number; answeredWithin: number; abandoned: number } };

    return {
      bench: 'soak',
      minutes,
      warmupMin,
      sampleSec,
      samples: samples.length,
      calls: { offered: sla.today.offered, answered: sla.today.answered, answeredWithin15s: sla.today.answeredWithin, abandoned: sla.today.abandoned },
      wallboardDeltas: deltas,
      rssMb: { start: first.rssMb, end: last.rssMb, max: Math.max(...samples.map((s) => s.rssMb)) },
      heapUsedMb: { start: first.heapUsedMb, end: last.heapUsedMb, max: Math.max(...samples.map((s) => s.heapUsedMb)) },
      heapGrowthMbPerHour: round(slope(hours, samples.map((s) => s.heapUsedMb)), 3),
      rssGrowthMbPerHour: round(slope(hours, samples.map((s) => s.rssMb)), 2),
      snapshotMb: { start: round(startHeap.totalBytes / MB, 2), end: round(endHeap.totalBytes / MB, 2) },
      growingTypes: growth(startHeap, endHeap).map((g) => ({ ...g, bytesGrowthKb: round(g.bytesGrowth / 1024, 1) })),
    };
  } finally {
    wallboard?.close();
    inspector?.close();
    await launcher.stop(30_000);
    await rm(dataDir, { recursive: true, force: true });
  }
}
