// `push`'s set-up: a redis-server of its own with the agents created and logged in, the bench
// switch behind mini-esl-server.ts, the service as a child process subscribed to it, and the
// clients' child process with one /agent socket per agent.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createAgentMachine } from '../../../server/src/acd/agent-state.ts';
import { tokenSigner } from '../../../server/src/auth/tokens.ts';
import { AgentStore } from '../../../server/src/store/agent-store.ts';
import { redisKeys } from '../../../server/src/store/keys.ts';
import { startTestRedis } from '../../lib/test-redis.ts';
import { startMiniInboundServer } from '../mini-esl-server.ts';
import type { ClientsConnect } from '../push-clients.ts';
import { benchLog, sleep } from '../util.ts';
import { BenchSwitch } from '../bench-switch.ts';
import { clientsProcess, type ClientsProcess } from './clients-process.ts';
import type { Options } from './options.ts';
import { procSample, type ProcSample } from './proc-stats.ts';
import { builtServerArgs, startServer, stopChild, type ServerChild } from './service-process.ts';

const ESL_PASSWORD = 'ClueCon';
const KEY_PREFIX = 'benchpush';
const log = benchLog('push');

export interface PushRig {
  redis: Redis;
  redisPid: number;
  agentIds: string[];
  sw: BenchSwitch;
  server: ServerChild;
  serverPid: number;
  clients: ClientsProcess;
  /** The service with every client connected, before the load. */
  idle: ProcSample;
}

/** Brings everything up; each part's stop step is put at the front of `cleanups` (stopped last-started first). */
export async function setUp(opts: Options, cleanups: (() => Promise<unknown>)[]): Promise<PushRig> {
  // --- Redis and the agents.
  const redisSrv = await startTestRedis();
  cleanups.unshift(() => redisSrv.stop());
  const redis = new Redis(redisSrv.url);
  cleanups.unshift(async () => redis.disconnect());
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? NaN);
  const agentIds = Array.from({ length: opts.clients }, (_, i) => `b${String(i).padStart(4, '0')}`);
  const agents = new AgentStore({ redis, keys: redisKeys(KEY_PREFIX), machine: createAgentMachine({ clock: Date.now, wrapUpSec: 30, wrapUpExtendSec: 30 }) });
  for (let i = 0; i < agentIds.length; i += 50)
    await Promise.all(
      agentIds.slice(i, i + 50).map(async (id, j) => {
        await agents.create({ id, name: `Bench agent ${id}`, phone: `user/${3000 + i + j}`, skills: { general: 5 } });
        await agents.apply(id, { type: 'login' }, 'agent');
      }),
    );
  log(`redis-server ${redisSrv.url} (${redisSrv.source}); ${agentIds.length} agents created and logged in`);

  // --- The switch.
  const sw = new BenchSwitch({ api: 'accepting', headers: 'minimal' });
  const esl = await startMiniInboundServer({ sw, host: '127.0.0.1', port: 0, password: ESL_PASSWORD });
  cleanups.unshift(() => esl.close());

  // --- The service.
  const secret = randomBytes(32).toString('hex');
  const server = startServer(await builtServerArgs(), {
    HOTLINE_HTTP_HOST: '127.0.0.1',
    HOTLINE_HTTP_PORT: '0',
    HOTLINE_LOG_LEVEL: opts.logLevel,
    HOTLINE_REDIS_URL: redisSrv.url,
    HOTLINE_REDIS_KEY_PREFIX: KEY_PREFIX,
    HOTLINE_FS_NODES: JSON.stringify([{ name: 'fs1', host: '127.0.0.1', port: esl.port, password: ESL_PASSWORD }]),
    HOTLINE_FS_OUTBOUND_PORT: '0',
    HOTLINE_AUTH_JWT_SECRET: secret,
  }, opts.serverProf);
  cleanups.unshift(() => stopChild(server.child, 'SIGTERM', 10_000));
  let startTimer: NodeJS.Timeout | undefined;
  const url = await Promise.race([
    server.url,
    new Promise<never>((_, reject) => (startTimer = setTimeout(() => reject(new Error('service did not start within 60 s')), 60_000))),
  ]).finally(() => clearTimeout(startTimer));
  for (let i = 0; i < 300 && !(sw.listenerCount > 0 && sw.apis.some((a) => a.startsWith('show channels'))); i++) await sleep(50);
  if (sw.listenerCount === 0) throw new Error('the service did not subscribe to events within 15 s');
  const serverPid = server.child.pid!;
  log(`service pid ${serverPid} at ${url}, subscribed to the bench switch on port ${esl.port}`);

  // --- The clients.
  const signer = tokenSigner({ secret, ttlSec: 3600 });
  const tokens = await Promise.all(agentIds.map(async (id) => ({ id, token: (await signer.sign({ username: `bench-${id}`, role: 'agent', agentId: id })).token })));
  const clients = clientsProcess();
  cleanups.unshift(() => stopChild(clients.child, 'SIGTERM', 3000));
  await clients.next('up', 30_000);
  const connect: ClientsConnect = { type: 'connect', url, agents: tokens, batch: 50 };
  clients.child.send(connect);
  const ready = (await clients.next('ready', 120_000)) as { connectMs: number; rssMb: number };
  log(`${opts.clients} /agent sockets connected in ${(ready.connectMs / 1000).toFixed(1)} s (clients' RSS ${ready.rssMb.toFixed(0)} MB)`);
  await sleep(1000);
  const idle = procSample(serverPid);
  return { redis, redisPid, agentIds, sw, server, serverPid, clients, idle };
}
