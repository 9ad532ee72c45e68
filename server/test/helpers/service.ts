// Starts the whole service in-process against fsim and a real Redis, the way production runs it
// against FreeSWITCH: the project's dialplan routes calls to the service's outbound-socket port.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { createService, type Service } from '../../src/service.ts';
import { freePort } from '../../../scripts/lib/free-port.ts';
import { withRedis } from '../../../scripts/lib/test-redis.ts';
import type { Fsim } from '../../../scripts/fsim/src/fsim.ts';
import { ESL_PASSWORD, withFsim } from './fsim.ts';

export interface Harness {
  fsim: Fsim;
  service: Service;
  /** The environment the service was configured from. */
  env: Record<string, string>;
  redis: Redis;
  config: Config;
  /** POST to fsim's control API. */
  control(pathname: string, body?: unknown): Promise<{ status: number; json: unknown }>;
}

type Teardown = { teardown(fn: () => unknown): void };

export async function startHarness(
  t: Teardown,
  opts: {
    flows?: unknown;
    timeScale?: number;
    env?: Record<string, string>;
    dialplanVars?: Record<string, string>;
    /** Extra settings for the FreeSWITCH node (reconnect, commandTimeoutMs). */
    node?: Record<string, unknown>;
    /** Queue definitions (acd/queue-config.ts), written to a file the service reads. */
    queues?: unknown;
    /** fsim switch settings (gateways and their numbers' behaviour). */
    fsimSwitch?: Record<string, unknown>;
    /** Collect the service's JSON log lines here (level: env's HOTLINE_LOG_LEVEL, else HOTLINE_TEST_LOG_LEVEL, else info). */
    logLines?: string[];
    /** An existing Redis (a test that stalls it); default: one of the test's own. */
    redisUrl?: string;
    /** fsim's ESL password; default ESL_PASSWORD. */
    eslPassword?: string;
  } = {},
): Promise<Harness> {
  const r = opts.redisUrl ? { url: opts.redisUrl } : await withRedis(t);
  const outboundPort = await freePort();
  const fsim = await withFsim(t, {
    serviceSocket: `127.0.0.1:${outboundPort}`,
    ...(opts.eslPassword ? { eslPassword: opts.eslPassword } : {}),
    timeScale: opts.timeScale ?? 0.05,
    ...(opts.fsimSwitch ? { switch: opts.fsimSwitch } : {}),
    ...(opts.dialplanVars ? { extra: { dialplan: { dir: path.resolve(import.meta.dirname, '../../../dialplan'), vars: { hotline_service_socket: `127.0.0.1:${outboundPort}`, ...opts.dialplanVars } } } } : {}),
  });
  const env: Record<string, string> = {
    HOTLINE_HTTP_PORT: '0',
    HOTLINE_LOG_LEVEL: process.env.HOTLINE_TEST_LOG_LEVEL ?? 'silent',
    HOTLINE_REDIS_URL: r.url,
    HOTLINE_FS_NODES: JSON.stringify([{ name: 'fs1', host: '127.0.0.1', port: fsim.eslPort, password: opts.eslPassword ?? ESL_PASSWORD, ...opts.node }]),
    HOTLINE_FS_OUTBOUND_PORT: String(outboundPort),
    // The softphone's simulated phone, as `npm start` configures it.
    HOTLINE_DESK_PHONE: JSON.stringify({ kind: 'simulated', controlUrl: `http://127.0.0.1:${fsim.controlPort}` }),
    ...opts.env,
  };
  if (opts.queues) {
    const dir = await mkdtemp(path.join(tmpdir(), 'queues-'));
    env.HOTLINE_ACD_QUEUES_PATH = path.join(dir, 'queues.json');
    await writeFile(env.HOTLINE_ACD_QUEUES_PATH, JSON.stringify(opts.queues));
  }
  if (opts.flows) {
    const dir = await mkdtemp(path.join(tmpdir(), 'flows-'));
    env.HOTLINE_IVR_FLOWS_PATH = path.join(dir, 'flows.json');
    await writeFile(env.HOTLINE_IVR_FLOWS_PATH, JSON.stringify(opts.flows));
  }
  const config = loadConfig({ env });
  const lines = opts.logLines;
  const logger = lines
    ? createLogger({ level: (opts.env?.HOTLINE_LOG_LEVEL ?? process.env.HOTLINE_TEST_LOG_LEVEL ?? 'info') as typeof config.log.level }, { write: (l: string) => void lines.push(l) })
    : createLogger(config.log);
  const service = await createService(config, logger);
  await service.start();
  t.teardown(() => service.stop());
  const redis = new Redis(r.url);
  t.teardown(() => redis.quit());
  const base = `http://127.0.0.1:${fsim.controlPort}`;
  return {
    fsim,
    service,
    env,
    redis,
    config,
    async control(pathname, body) {
      const res = await fetch(base + pathname, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
      return { status: res.status, json: await res.json() };
    },
  };
}

/**
 * Another instance of the service on the same Redis and switch: it sees every switch event and
 * routes too; the dialplan keeps sending new calls to the first instance's outbound socket.
 */
export async function startSecondInstance(t: Teardown, h: Harness): Promise<Service> {
  const config = loadConfig({ env: { ...h.env, HOTLINE_FS_OUTBOUND_PORT: '0' } });
  const service = await createService(config, createLogger(config.log));
  await service.start();
  t.teardown(() => service.stop());
  return service;
}

/** Poll until fn returns a value (not undefined/false), or fail after ms. */
export async function eventually<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
