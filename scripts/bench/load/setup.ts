// `load`'s set-up: a redis-server of its own with the agents created and logged in, the switch
// process (fsim with the robot phones), and the service as a child process driving it, with the
// inspector probe attached.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createAgentMachine } from '../../../server/src/acd/agent-state.ts';
import { AgentStore } from '../../../server/src/store/agent-store.ts';
import { redisKeys } from '../../../server/src/store/keys.ts';
import { freePort } from '../../lib/free-port.ts';
import { startTestRedis } from '../../lib/test-redis.ts';
import { builtServerArgs, startServer, stopChild, type ServerChild } from '../push/service-process.ts';
import { benchLog, sleep } from '../util.ts';
import { fsimChild, type FsimChild } from './fsim-child.ts';
import { talkMeanMs, type Options } from './options.ts';
import { ServiceProbe } from './probe.ts';

const ESL_PASSWORD = 'ClueCon';
const KEY_PREFIX = 'benchload';
/** Agents go back to available as their phone hangs up: "free" is the hang-up itself. */
export const WRAP_UP_SEC = 0;
const log = benchLog('load');

export interface LoadRig {
  redisPid: number;
  fsim: FsimChild;
  server: ServerChild;
  serverPid: number;
  probe: ServiceProbe;
  metricsUrl: string;
}

export const agentExt = (i: number): string => `7${String(i).padStart(4, '0')}`;

/** Brings everything up; each part's stop step is put at the front of `cleanups`. */
export async function setUp(opts: Options, cleanups: (() => Promise<unknown>)[]): Promise<LoadRig> {
  const redisSrv = await startTestRedis();
  cleanups.unshift(() => redisSrv.stop());
  const redis = new Redis(redisSrv.url);
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? NaN);
  const exts = Array.from({ length: opts.agents }, (_, i) => agentExt(i));
  const agents = new AgentStore({ redis, keys: redisKeys(KEY_PREFIX), machine: createAgentMachine({ clock: Date.now, wrapUpSec: WRAP_UP_SEC, wrapUpExtendSec: 30 }) });
  for (let i = 0; i < exts.length; i += 50)
    await Promise.all(
      exts.slice(i, i + 50).map(async (ext) => {
        await agents.create({ id: `a${ext}`, name: `Robot ${ext}`, phone: `user/${ext}`, skills: { general: 5 } });
        await agents.apply(`a${ext}`, { type: 'login' }, 'agent');
      }),
    );
  redis.disconnect();
  log(`redis-server ${redisSrv.url}; ${exts.length} agents created and logged in`);

  const outboundPort = await freePort();
  const fsim = fsimChild(opts.cpuProf);
  cleanups.unshift(() => stopChild(fsim.child, 'SIGTERM', 5000));
  fsim.send({ type: 'setup', eslPassword: ESL_PASSWORD, outboundPort, agentExts: exts, welcomeMs: opts.welcomeS * 1000, talkMeanMs: talkMeanMs(opts), wrapUpMs: WRAP_UP_SEC * 1000 });
  const { eslPort } = await fsim.next('up', 60_000);

  const recordings = await mkdtemp(path.join(tmpdir(), 'bench-load-rec-'));
  cleanups.unshift(() => rm(recordings, { recursive: true, force: true }));
  const inspectPort = await freePort();
  const metricsPort = await freePort();
  const server = startServer(
    await builtServerArgs(),
    {
      HOTLINE_HTTP_HOST: '127.0.0.1',
      HOTLINE_HTTP_PORT: '0',
      HOTLINE_LOG_LEVEL: opts.logLevel,
      HOTLINE_REDIS_URL: redisSrv.url,
      HOTLINE_REDIS_KEY_PREFIX: KEY_PREFIX,
      HOTLINE_FS_NODES: JSON.stringify([{ name: 'fs1', host: '127.0.0.1', port: eslPort, password: ESL_PASSWORD }]),
      HOTLINE_FS_OUTBOUND_PORT: String(outboundPort),
      HOTLINE_FS_INTAKE: opts.intake,
      HOTLINE_AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
      HOTLINE_ACD_WRAP_UP_SEC: String(WRAP_UP_SEC),
      // The caller hangs up with the agent (no satisfaction survey); recording stays on, as by default.
      HOTLINE_SURVEY: '{"enabled":false}',
      HOTLINE_RECORDING_DIR: recordings,
      // The service's own free -> offer histogram is read here (load/service-histogram.ts).
      HOTLINE_METRICS_PORT: String(metricsPort),
      NODE_OPTIONS: `--inspect=127.0.0.1:${inspectPort}`,
    },
    opts.cpuProf,
  );
  // SIGTERM first: a --cpu-prof profile is written only on a clean exit.
  cleanups.unshift(() => stopChild(server.child, 'SIGTERM', 20_000));
  let timer: NodeJS.Timeout | undefined;
  const url = await Promise.race([
    server.url,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('service did not start within 60 s')), 60_000))),
  ]).finally(() => clearTimeout(timer));
  const probe = await ServiceProbe.connect(inspectPort);
  cleanups.unshift(async () => probe.close());
  const serverPid = await probe.pid();
  // The service connects to the switch's event socket once it listens: give it a moment.
  for (let i = 0; i < 50 && !(await ready(url)); i++) await sleep(200);
  log(`service pid ${serverPid} at ${url}; fsim ESL on ${eslPort}, the dialplan sends 12345 to ${outboundPort}`);
  return { redisPid, fsim, server, serverPid, probe, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
}

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/readyz`)).ok;
  } catch {
    return false;
  }
}
