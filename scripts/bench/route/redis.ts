// Redis for `route`: a redis-server of its own (temp dir, stopped and removed at the end), the
// service's connection with a count of the requests it sends, a second connection for INFO, and
// readers of INFO / the kernel's run-queue figures.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startRedisServer } from '../../lib/redis-server.ts';

/** Requests the service has sent so far (a MULTI ... EXEC transaction is one request, one round trip). */
export interface RequestCounter {
  requests: number;
}

export interface BenchRedis {
  url: string;
  port: number;
  /** The service's connection (as in the service: one ioredis connection). */
  redis: Redis;
  /** For INFO, so that reading the figures does not count as the service's requests. */
  infoConn: Redis;
  counter: RequestCounter;
}

/** Starts redis-server and connects; pushes its stop steps onto `stopAll` (run in reverse order). */
export async function startBenchRedis(stopAll: (() => Promise<unknown>)[]): Promise<BenchRedis> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'route-bench-'));
  const server = await startRedisServer({ dir, persistent: false });
  const redis = new Redis(server.url, { lazyConnect: false });
  const infoConn = new Redis(server.url);
  // Count requests the service sends (a MULTI ... EXEC transaction is one request, one round trip).
  const counter: RequestCounter = { requests: 0 };
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((cmd: Parameters<Redis['sendCommand']>[0], stream?: Parameters<Redis['sendCommand']>[1]) => {
    if (!stream || cmd.name === 'multi') counter.requests++;
    return send(cmd, stream);
  }) as Redis['sendCommand'];

  stopAll.push(async () => rm(dir, { recursive: true, force: true }));
  stopAll.push(() => server.stop());
  stopAll.push(async () => {
    redis.disconnect();
    infoConn.disconnect();
  });
  return { url: server.url, port: server.port, redis, infoConn, counter };
}

export interface RedisInfo {
  cmds: Map<string, { calls: number; usec: number }>;
  cpuS: number;
  usedMb: number;
}

/** INFO commandstats + cpu, parsed: command -> {calls, usec}, and redis-server CPU seconds. */
export async function redisInfo(r: Redis): Promise<RedisInfo> {
  const text = await r.info('all');
  const cmds = new Map<string, { calls: number; usec: number }>();
  let cpuS = 0;
  let usedMb = 0;
  for (const line of text.split('\r\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line);
    if (m) cmds.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
    const c = /^used_cpu_(user|sys):([\d.]+)/.exec(line);
    if (c) cpuS += Number(c[2]);
    const u = /^used_memory:(\d+)/.exec(line);
    if (u) usedMb = Number(u[1]) / 1048576;
  }
  return { cmds, cpuS, usedMb };
}

/** ns a process has waited on the CPU run queue so far (Linux schedstat; 0 where unavailable). */
export async function runQueueWaitNs(pid: number | 'self'): Promise<number> {
  try {
    return Number((await readFile(`/proc/${pid}/schedstat`, 'utf8')).split(' ')[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The redis-server listening on `port` (its process title is "redis-server 127.0.0.1:PORT"). */
export async function redisPid(port: number): Promise<number | undefined> {
  for (const d of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(d)) continue;
    const cmd = await readFile(`/proc/${d}/cmdline`, 'utf8').catch(() => '');
    if (cmd.startsWith('redis-server') && cmd.includes(`:${port}`)) return Number(d);
  }
  return undefined;
}
