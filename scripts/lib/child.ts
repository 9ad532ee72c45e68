// Child processes for the launcher (`npm start`) and the tests and benchmarks that drive it: each
// in its own process group (a terminal's Ctrl-C reaches only the launcher, which stops them in
// order), stopped with SIGTERM and a bound, and checks that a needed program is installed.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** The full path of `program` on the PATH, or undefined. */
export function which(program: string, envPath = process.env.PATH ?? ''): string | undefined {
  if (program.includes('/')) return canRun(program) ? program : undefined;
  for (const dir of envPath.split(path.delimiter)) {
    const p = path.join(dir || '.', program);
    if (canRun(p)) return p;
  }
  return undefined;
}

function canRun(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Debian packages for the programs the project runs; the message names the apt-get line. */
const PACKAGES: Record<string, string> = { 'redis-server': 'redis-server', chromium: 'chromium' };

export class MissingProgramError extends Error {
  constructor(program: string, hint = '') {
    const pkg = PACKAGES[path.basename(program)] ?? path.basename(program);
    super(`${program} is not installed (not found on the PATH). Install it with:\n  sudo apt-get install -y ${pkg}${hint ? `\n${hint}` : ''}`);
  }
}

/** Throws MissingProgramError naming the apt-get line when `program` cannot be run. */
export function requireProgram(program: string, hint?: string): string {
  const found = which(program);
  if (!found) throw new MissingProgramError(program, hint);
  return found;
}

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (or signal name) when the process is gone. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `boundMs`; resolves when it is gone. Safe to call twice. */
  stop(boundMs: number): Promise<number | string>;
}

/** Spawn in a new process group (detached) so a terminal's SIGINT reaches only the launcher. */
export function startChild(name: string, command: string, args: readonly string[], opts: SpawnOptions = {}): Child {
  const proc = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts, detached: true });
  if (proc.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  let stopping: Promise<number | string> | undefined;
  return {
    name,
    process: proc,
    pid: proc.pid,
    exited,
    stop(boundMs) {
      stopping ??= (async () => {
        if (proc.exitCode !== null || proc.signalCode !== null) return exited;
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), boundMs);
        const result = await exited;
        clearTimeout(timer);
        return result;
      })();
      return stopping;
    },
  };
}

/** Poll `probe` until it resolves true, the child exits, or the deadline passes. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number, child?: Child): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone: number | string | undefined;
  void child?.exited.then((code) => (gone = code));
  for (;;) {
    if (gone !== undefined) throw new Error(`${what}: ${child?.name ?? 'the process'} exited (${gone}) before it was ready`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** GET `url`; true on a 2xx answer. */
export async function answers(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
  await res.body?.cancel();
  return res.ok;
}
