// The service half of a World, the same for both switches: settings files, the in-process service
// on the bare world's Redis and switch, and agents created through the ACD as the REST API does.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../../../src/config.ts';
import { createLogger } from '../../../src/log.ts';
import { createService } from '../../../src/service.ts';
import { until, type BareWorld, type Teardown, type World, type WorldOptions } from './world.ts';

/** HOTLINE_* settings for the scenario's flows and queues files, written to a temp dir. */
export async function settingsEnv(opts: WorldOptions): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  if (opts.queues || opts.flows) {
    const dir = await mkdtemp(path.join(tmpdir(), 'switch-settings-'));
    if (opts.queues) {
      env.HOTLINE_ACD_QUEUES_PATH = path.join(dir, 'queues.json');
      await writeFile(env.HOTLINE_ACD_QUEUES_PATH, JSON.stringify(opts.queues));
    }
    if (opts.flows) {
      env.HOTLINE_IVR_FLOWS_PATH = path.join(dir, 'flows.json');
      await writeFile(env.HOTLINE_IVR_FLOWS_PATH, JSON.stringify(opts.flows));
    }
  }
  return env;
}

export async function withService(t: Teardown, bare: BareWorld): Promise<World> {
  const config = loadConfig({ env: bare.env });
  const service = await createService(config, createLogger(config.log));
  await service.start();
  t.teardown(() => service.stop());
  const calls = service.calls!;
  const redis = new Redis(bare.redisUrl);
  t.teardown(() => redis.quit());
  await until('service connected to the switch', () => calls.nodeStatus()[0]?.connected);
  return {
    ...bare,
    service,
    calls,
    redis,
    config,
    async addAgent(id, skills, phone, opts = {}) {
      await bare.addPhone(id, phone);
      await calls.acd.agents.create({ id, name: `Agent ${id}`, phone: `user/${id}`, skills });
      await calls.acd.agents.apply(id, { type: 'login' }, 'test');
      if (opts.ready === false) await calls.acd.agents.apply(id, { type: 'notReady', reason: 'training' }, 'test');
      else calls.acd.agentBecameReady(id);
    },
  };
}
