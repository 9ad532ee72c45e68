// The service under test as a child process, started with the image's command (`node
// --heap-growing-percent=100 server/dist/server.js`: the compiled service as production runs it,
// built first when stale) and configured through HOTLINE_* as in production: its stdout is drained
// and its log lines counted by level.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface ServerChild {
  child: ChildProcess;
  url: Promise<string>;
  logCounts: Record<string, number>;
  lastProblems: string[];
}

export { builtServerArgs } from '../../lib/server-build.ts';

/** `serverArgs`: node's arguments from `builtServerArgs()` (the image's command). */
export function startServer(serverArgs: readonly string[], env: Record<string, string>, profDir: string | undefined): ServerChild {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HOTLINE_')));
  const prof = profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [];
  // BENCH_SERVICE_NODE_ARGS: Node/V8 flags for the service alone (GC settings tried for its RSS);
  // given on the command line, as NODE_OPTIONS refuses most V8 flags.
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...prof, ...serverArgs], { cwd: REPO_ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logCounts: Record<string, number> = {};
  const lastProblems: string[] = [];
  const levels: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
  let buf = '';
  let stderr = '';
  let resolveUrl: (u: string) => void = () => {};
  let rejectUrl: (e: Error) => void = () => {};
  const url = new Promise<string>((res, rej) => {
    resolveUrl = res;
    rejectUrl = rej;
  });
  child.stdout!.setEncoding('utf8');
  // BENCH_SERVICE_LOG=FILE keeps the service's whole log (diagnosis; the summary keeps counts only).
  const keep = process.env.BENCH_SERVICE_LOG ? createWriteStream(process.env.BENCH_SERVICE_LOG, { flags: 'a' }) : undefined;
  if (keep) child.once('exit', () => keep.end());
  child.stdout!.on('data', (d: string) => {
    keep?.write(d);
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      try {
        const rec = JSON.parse(line) as { level?: number; msg?: string; url?: string };
        const level = levels[rec.level ?? 0] ?? String(rec.level);
        logCounts[level] = (logCounts[level] ?? 0) + 1;
        if (rec.msg === 'listening' && rec.url) resolveUrl(rec.url);
        if ((rec.level ?? 0) >= 40) {
          lastProblems.push(line.slice(0, 400));
          if (lastProblems.length > 5) lastProblems.shift();
        }
      } catch {
        /* not a log line */
      }
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  child.once('exit', (code) => rejectUrl(new Error(`service exited (${code}) before listening:\n${stderr}`)));
  url.catch(() => {});
  return { child, url, logCounts, lastProblems };
}

/** Sends `signal`, and SIGKILL after `ms` if the child has not exited by then. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
}
