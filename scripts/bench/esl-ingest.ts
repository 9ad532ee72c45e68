// Benchmark `esl-ingest`: how fast can an ESL client take in a full-speed stream of realistic
// FreeSWITCH events? The service's own client (`hotline`, server/src/freeswitch: frame parser and
// message layer), modesl and drachtio-modesl, each in plain and json, one after the other in one
// run, plus a framing-only baseline that shows what the server and loopback can do.
//
// Design:
// - The server is fsim's inbound ESL server (scripts/fsim/src/esl/inbound-server.ts) driven by a
//   bench-only SwitchFacade, or the bench's minimal server with the same signature while fsim's is
//   not there (`--server auto|fsim|mini`; the JSON says which ran).
// - Each client runs in its own child process (fork): the server's serialisation and the client's
//   parsing then each get a core (this machine has 2) instead of sharing one event loop, the
//   client's RSS is its own and not the server's buffers, and a client that falls behind cannot
//   slow the sender's clock readings. Both use process.hrtime.bigint() (CLOCK_MONOTONIC), so a
//   send time stamped by the server is comparable with the receive time in the child.
// - Flow control is credit-based: the facade emits while fewer than --window events are in flight
//   (sent but not yet acknowledged by the client over IPC, every --ack-every events). That bounds
//   the server's socket buffer whatever the server does on backpressure, and keeps the pipe full.
//   Under saturation the latency is therefore mostly queueing: about window / throughput plus the
//   time a library holds a batch of events it parsed from one socket read.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ClientResult } from './esl-ingest-client.ts';
import { eslLibVersion } from './esl-libs.ts';
import type { EslLibName } from './esl-libs.ts';
import { loadTemplates, makeEvent } from './events.ts';
import type { TemplateSet } from './events.ts';
import { cliOptions } from './util.ts';
import { loadInboundServer } from './mini-esl-server.ts';
import { BenchSwitch } from './bench-switch.ts';

export const description =
  'fsim pushes realistic ~7 KB / 180-header CHANNEL_* events at full speed to the service\'s ESL client, modesl and drachtio-modesl (plain and json); events_per_s, p50/p99 latency, client RSS';

interface Options {
  events: number;
  maxRunS: number;
  maxTotalS: number;
  repeat: number;
  window: number;
  ackEvery: number;
  server: 'auto' | 'fsim' | 'mini';
  fixtures: string | undefined;
  libs: string[];
  formats: ('plain' | 'json')[];
  baseline: boolean;
}

export const usage = `npm run bench -- esl-ingest [--events N=20000] [--repeat N=5] [--max-run-s S=30] [--max-total-s S=170]
    [--window N=64] [--ack-every N=16]
    [--server auto|fsim|mini] [--fixtures DIR] [--libs hotline,modesl,drachtio-modesl] [--formats plain,json] [--no-baseline]`;

function parseOptions(argv: string[]): Options {
  const opts: Options = {
    events: 20000,
    maxRunS: 30,
    maxTotalS: 170,
    repeat: 5,
    window: 64,
    ackEvery: 16,
    server: 'auto',
    fixtures: undefined,
    libs: ['hotline', 'modesl', 'drachtio-modesl'],
    formats: ['plain', 'json'],
    baseline: true,
  };
  for (const o of cliOptions(argv, usage)) {
    const num = (): number => o.number(0, true);
    const v = (): string => o.value();
    switch (o.name) {
      case '--events': opts.events = Math.floor(num()); break;
      case '--max-run-s': opts.maxRunS = num(); break;
      case '--max-total-s': opts.maxTotalS = num(); break;
      case '--repeat': opts.repeat = Math.floor(num()); break;
      case '--window': opts.window = Math.floor(num()); break;
      case '--ack-every': opts.ackEvery = Math.floor(num()); break;
      case '--server': {
        const s = v();
        if (s !== 'auto' && s !== 'fsim' && s !== 'mini') throw new Error(`--server auto|fsim|mini\n${usage}`);
        opts.server = s;
        break;
      }
      case '--fixtures': opts.fixtures = v(); break;
      case '--libs': opts.libs = v().split(','); break;
      case '--formats': {
        const fs = v().split(',');
        if (fs.some((f) => f !== 'plain' && f !== 'json')) throw new Error(`--formats plain,json\n${usage}`);
        opts.formats = fs as ('plain' | 'json')[];
        break;
      }
      case '--no-baseline': opts.baseline = false; break;
      default: throw new Error(`unknown option ${o.name}\n${usage}`);
    }
  }
  if (opts.ackEvery > opts.window) opts.ackEvery = opts.window;
  return opts;
}

const CLIENT = fileURLToPath(new URL('./esl-ingest-client.ts', import.meta.url));

type FromChild = { type: 'ready' } | { type: 'ack'; received: number } | ({ type: 'result' } & ClientResult) | { type: 'fatal'; error: string };

export interface RunResult extends ClientResult {
  version: string;
  sent: number;
  note?: string;
}

async function runOne(
  lib: string,
  format: 'plain' | 'json',
  sw: BenchSwitch,
  set: TemplateSet,
  port: number,
  opts: Options,
  maxMs: number,
): Promise<RunResult> {
  const child: ChildProcess = fork(
    CLIENT,
    ['--lib', lib, '--format', format, '--port', String(port), '--events', String(opts.events), '--ack-every', String(opts.ackEvery)],
    { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  const version = lib === 'raw' ? '-' : lib === 'hotline' ? 'server/src/freeswitch' : eslLibVersion(lib as EslLibName);
  let sent = 0;
  let acked = 0;
  let pushing = false;
  let seq = 0;
  const pump = (): void => {
    while (pushing && sent < opts.events && sent - acked < opts.window) {
      sw.fire(makeEvent(set, seq++, process.hrtime.bigint()));
      sent++;
    }
  };
  try {
    return await new Promise<RunResult>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const readyTimer = setTimeout(() => reject(new Error(`${lib}/${format}: client not subscribed within 15 s`)), 15000);
      child.on('message', (m: FromChild) => {
        switch (m.type) {
          case 'ready':
            clearTimeout(readyTimer);
            pushing = true;
            timer = setTimeout(() => {
              pushing = false;
              child.send({ type: 'stop' });
            }, maxMs);
            pump();
            break;
          case 'ack':
            acked = m.received;
            pump();
            break;
          case 'result': {
            clearTimeout(timer);
            pushing = false;
            const { type: _t, ...r } = m;
            resolve({
              ...r,
              version,
              sent,
              ...(r.completed ? {} : { note: `stopped at the ${Math.round(maxMs / 1000)} s limit after ${r.received} of ${opts.events} events` }),
            });
            break;
          }
          case 'fatal':
            reject(new Error(`${lib}/${format}: ${m.error}`));
            break;
        }
      });
      child.on('exit', (code) => reject(new Error(`${lib}/${format}: client exited (${code}) before reporting`)));
    });
  } finally {
    pushing = false;
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(kill);
    }
    // Give the server a moment to see the disconnect and drop the session's listener.
    for (let i = 0; i < 50 && sw.listenerCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
  }
}

export async function main(argv: string[]): Promise<Record<string, unknown>> {
  const opts = parseOptions(argv);
  const set = loadTemplates(opts.fixtures === undefined ? {} : { dir: opts.fixtures });
  const sw = new BenchSwitch({ api: 'strict', headers: 'full' });
  const { impl, start } = await loadInboundServer(opts.server);
  const server = await start({ sw, host: '127.0.0.1', port: 0, password: 'ClueCon' });
  console.error(`esl-ingest: ${impl} server on port ${server.port}; ${set.templates.length} event templates from ${set.source}`);
  console.error(`esl-ingest: ${opts.events} events per run x ${opts.repeat}, window ${opts.window}, limit ${opts.maxRunS} s per run, ${opts.maxTotalS} s in all`);

  // Library runs interleaved round by round (so drift in machine load hits every client alike),
  // then the framing-only baseline once per format.
  const combos: [string, 'plain' | 'json'][] = [];
  for (let r = 0; r < opts.repeat; r++) for (const lib of opts.libs) for (const f of opts.formats) combos.push([lib, f]);
  if (opts.baseline) for (const f of opts.formats) combos.push(['raw', f]);

  const results: RunResult[] = [];
  const t0 = Date.now();
  const load0 = os.loadavg()[0] ?? 0;
  try {
    for (const [i, [lib, format]] of combos.entries()) {
      // Bounded duration: each run gets its share of what is left of the total budget.
      const leftMs = opts.maxTotalS * 1000 - (Date.now() - t0);
      const maxMs = Math.max(1000, Math.min(opts.maxRunS * 1000, leftMs / (combos.length - i) - 1500));
      console.error(`esl-ingest: [${i + 1}/${combos.length}] ${lib} ${format} ...`);
      const r = await runOne(lib, format, sw, set, server.port, opts, maxMs);
      console.error(
        `esl-ingest:   ${r.received}/${opts.events} events, ${r.events_per_s} ev/s, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms, cpu ${r.cpu_us_per_event} us/event, rss ${r.rss_mb} MB (idle ${r.rss_idle_mb})${r.completed ? '' : ' INCOMPLETE'}`,
      );
      results.push(r);
    }
  } finally {
    await server.close();
  }

  // Per client and format: the run with the median events_per_s, plus every run's events_per_s;
  // CPU per event is the median over the runs.
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor((s.length - 1) / 2)] ?? Number.NaN;
  };
  const summarize = (runs: RunResult[]): Record<string, unknown> => {
    const byRate = [...runs].sort((a, b) => a.events_per_s - b.events_per_s);
    const r = byRate[Math.floor((byRate.length - 1) / 2)];
    if (!r) return {};
    const incomplete = runs.filter((x) => !x.completed);
    return {
      version: r.version,
      completed: incomplete.length === 0,
      received: r.received,
      events_per_s: r.events_per_s,
      p50_ms: r.p50_ms,
      p99_ms: r.p99_ms,
      max_ms: r.max_ms,
      rss_mb: r.rss_mb,
      rss_idle_mb: r.rss_idle_mb,
      cpu_us_per_event: median(runs.map((x) => x.cpu_us_per_event)),
      bytes_per_event: r.bytes_per_event,
      headers_per_event: r.headers_per_event,
      ...(runs.length > 1 ? { events_per_s_runs: runs.map((x) => x.events_per_s) } : {}),
      ...(incomplete.length ? { incomplete: incomplete.map((x) => x.note) } : {}),
      ...(runs.some((x) => x.errors.length) ? { errors: runs.flatMap((x) => x.errors).slice(0, 3) } : {}),
    };
  };
  const clients: Record<string, Record<string, unknown>> = {};
  const baseline: Record<string, unknown> = {};
  for (const lib of [...opts.libs, 'raw']) {
    for (const f of opts.formats) {
      const runs = results.filter((r) => r.lib === lib && r.format === f);
      if (runs.length === 0) continue;
      if (lib === 'raw') baseline[f] = summarize(runs);
      else (clients[lib] ??= {})[f] = summarize(runs);
    }
  }
  return {
    bench: 'esl-ingest',
    server: impl,
    events: opts.events,
    repeat: opts.repeat,
    window: opts.window,
    max_run_s: opts.maxRunS,
    event_templates: set.templates.length,
    mean_json_event_bytes: Math.round(set.meanJsonBytes),
    headers_per_event: set.headersPerEvent,
    node: process.version,
    cpus: os.cpus().length,
    loadavg_1m: { start: Math.round(load0 * 100) / 100, end: Math.round((os.loadavg()[0] ?? 0) * 100) / 100 },
    total_s: Math.round((Date.now() - t0) / 100) / 10,
    clients,
    ...(opts.baseline ? { baseline_raw_framing: baseline } : {}),
  };
}
