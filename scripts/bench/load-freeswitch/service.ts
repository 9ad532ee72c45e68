// The service side's own parts: a redis-server with the agents created and logged in (the real
// AgentStore, as `load` does), and the service as a child process (`node
// server/dist/server.js`, compiled, HOTLINE_* as in production) connected to the switch, so its CPU is its own
// (/proc/<pid>/stat).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createAgentMachine } from '../../../server/src/acd/agent-state.ts';
import { AgentStore } from '../../../server/src/store/agent-store.ts';
import { redisKeys } from '../../../server/src/store/keys.ts';
import { startTestRedis } from '../../lib/test-redis.ts';
import { builtServerArgs, startServer, stopChild, type ServerChild } from '../push/service-process.ts';
import { sleep } from '../util.ts';
import type { Options } from './options.ts';

const KEY_PREFIX = 'benchfs';
/** Agents are available again as their phone hangs up (mod_callcenter's side: wrap-up-time 0). */
const WRAP_UP_SEC = 0;

export interface ServiceRig {
  server: ServerChild;
  pid: number;
  redisPid: number;
}

type Cleanups = (() => Promise<unknown>)[];

export async function startServiceSide(
  o: Options,
  sw: { eslPort: number; eslPassword: string; outboundPort: number },
  agents: readonly string[],
  cleanups: Cleanups,
): Promise<ServiceRig> {
  const redisSrv = await startTestRedis();
  cleanups.unshift(() => redisSrv.stop());
  const redis = new Redis(redisSrv.url);
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? NaN);
  const store = new AgentStore({ redis, keys: redisKeys(KEY_PREFIX), machine: createAgentMachine({ clock: Date.now, wrapUpSec: WRAP_UP_SEC, wrapUpExtendSec: 30 }) });
  for (let i = 0; i < agents.length; i += 50)
    await Promise.all(
      agents.slice(i, i + 50).map(async (id) => {
        await store.create({ id: `a${id}`, name: `Robot ${id}`, phone: `user/${id}`, skills: { general: 5 } });
        await store.apply(`a${id}`, { type: 'login' }, 'agent');
      }),
    );
  redis.disconnect();

  const recordings = await mkdtemp(path.join(tmpdir(), 'bench-fs-rec-'));
  cleanups.unshift(() => rm(recordings, { recursive: true, force: true }));
  const server = startServer(
    await builtServerArgs(),
    {
      HOTLINE_HTTP_HOST: '127.0.0.1',
      HOTLINE_HTTP_PORT: '0',
      HOTLINE_LOG_LEVEL: o.logLevel,
      HOTLINE_REDIS_URL: redisSrv.url,
      HOTLINE_REDIS_KEY_PREFIX: KEY_PREFIX,
      HOTLINE_FS_NODES: JSON.stringify([{ name: 'fs1', host: '127.0.0.1', port: sw.eslPort, password: sw.eslPassword }]),
      HOTLINE_FS_OUTBOUND_PORT: String(sw.outboundPort),
      HOTLINE_FS_INTAKE: o.intake,
      HOTLINE_AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
      HOTLINE_ACD_WRAP_UP_SEC: String(WRAP_UP_SEC),
      // mod_callcenter asks no survey and records nothing: neither does the service unless --recording.
      HOTLINE_SURVEY: '{"enabled":false}',
      HOTLINE_RECORDING_ENABLED: String(o.recording),
      HOTLINE_RECORDING_DIR: recordings,
    },
    o.cpuProf,
  );
  // SIGTERM: a --cpu-prof profile is written only on a clean exit.
  cleanups.unshift(() => stopChild(server.child, o.cpuProf ? 'SIGTERM' : 'SIGKILL', 20_000));
  let timer: NodeJS.Timeout | undefined;
  const url = await Promise.race([
    server.url,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('service did not start within 60 s')), 60_000))),
  ]).finally(() => clearTimeout(timer));
  // Ready: Redis and the switch's event socket connected (and resynced).
  for (let i = 0; i < 100 && !(await ready(url)); i++) await sleep(200);
  if (!(await ready(url))) throw new Error(`service at ${url} not ready within 20 s: ${server.lastProblems.join('\n')}`);
  return { server, pid: server.child.pid!, redisPid };
}

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/readyz`)).ok;
  } catch {
    return false;
  }
}
