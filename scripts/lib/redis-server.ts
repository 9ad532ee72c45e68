// Starts a real redis-server owned by the project: for tests (throw-away, no persistence) and for
// `npm start` (a data folder under .data/, append-only file on, so queued calls survive a restart).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import { MissingProgramError, which } from './child.ts';
import { freePort } from './free-port.ts';

export interface RedisServerHandle {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** The server's process id: a test stalls Redis with SIGSTOP and resumes it with SIGCONT. */
  readonly pid: number | undefined;
  /** Shut the server down (SIGTERM, then SIGKILL after a bound). Safe to call twice. */
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** Working directory for the server's files; created if missing. */
  dir: string;
  /** 0 or undefined: a free port. */
  port?: number;
  /** Keep an append-only file in `dir` (true for the demo service, false for tests). */
  persistent?: boolean;
  binary?: string;
  startTimeoutMs?: number;
  /** Its own process group: a terminal's Ctrl-C then reaches only whoever started it (npm start). */
  detached?: boolean;
}

/** Resolves once the server answers PING on its port. */
function waitForPing(host: string, port: number, deadline: number, child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      if (child.exitCode !== null) return reject(new Error(`redis-server exited with code ${child.exitCode}`));
      if (Date.now() > deadline) return reject(new Error(`redis-server did not answer on ${host}:${port} in time`));
      const sock = net.connect(port, host);
      let buf = '';
      sock.setTimeout(500);
      sock.on('connect', () => sock.write('PING\r\n'));
      sock.on('data', (d) => {
        buf += d.toString();
        if (buf.includes('+PONG')) {
          sock.destroy();
          resolve();
        }
      });
      const retry = (): void => {
        sock.destroy();
        setTimeout(attempt, 50);
      };
      sock.on('error', retry);
      sock.on('timeout', retry);
    };
    attempt();
  });
}

async function startOnce(opts: RedisServerOptions, port: number): Promise<RedisServerHandle> {
  const host = '127.0.0.1';
  await mkdir(opts.dir, { recursive: true });
  const args = [
    '--port', String(port), '--bind', host, '--dir', opts.dir,
    '--save', '', '--appendonly', opts.persistent ? 'yes' : 'no',
    '--protected-mode', 'yes', '--daemonize', 'no', '--loglevel', 'warning',
  ];
  const binary = opts.binary ?? 'redis-server';
  // Say what to install instead of a spawn ENOENT stack trace.
  if (!which(binary)) throw new MissingProgramError(binary, 'or point HOTLINE_REDIS_URL at a Redis you run (redis://host:port).');
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false });
  let output = '';
  const keep = (d: Buffer): void => {
    output = (output + d.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  try {
    await Promise.race([waitForPing(host, port, Date.now() + (opts.startTimeoutMs ?? 10_000), child), spawnError]);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${output}`.trim(), { cause: err });
  }
  let stopping: Promise<void> | undefined;
  return {
    host,
    port,
    url: `redis://${host}:${port}`,
    pid: child.pid,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      });
      return stopping;
    },
  };
}

/** Start redis-server; with no fixed port, retry on another free port if one was taken meanwhile. */
export async function startRedisServer(opts: RedisServerOptions): Promise<RedisServerHandle> {
  if (opts.port) return startOnce(opts, opts.port);
  let lastError: unknown;
  for (let i = 0; i < 3; i++) {
    try {
      return await startOnce(opts, await freePort());
    } catch (err) {
      if (err instanceof MissingProgramError) throw err;
      lastError = err;
    }
  }
  throw lastError;
}
