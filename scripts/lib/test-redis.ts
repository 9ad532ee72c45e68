// Gives a test file a real Redis and stops it afterwards. Order of preference:
// HOTLINE_TEST_REDIS_URL (an existing server), a local redis-server binary on a free port in a
// temporary dir, or a Redis container through testcontainers when a Docker engine answers.
// There are no Redis mocks in this project.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRedisServer } from './redis-server.ts';

export interface TestRedis {
  readonly url: string;
  readonly source: 'env' | 'redis-server' | 'testcontainers';
  stop(): Promise<void>;
}

/** Minimal view of tap's Test we need: a teardown hook. */
interface Teardownable {
  teardown(fn: () => unknown): void;
}

function hasBinary(name: string): boolean {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function startTestRedis(env: NodeJS.ProcessEnv = process.env): Promise<TestRedis> {
  const fromEnv = env.HOTLINE_TEST_REDIS_URL;
  if (fromEnv) return { url: fromEnv, source: 'env', stop: async () => {} };
  if (hasBinary('redis-server')) {
    const dir = await mkdtemp(path.join(tmpdir(), 'hotline-redis-'));
    const server = await startRedisServer({ dir, persistent: false });
    return {
      url: server.url,
      source: 'redis-server',
      async stop() {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  // Loaded only here: testcontainers pulls in a Docker client that tests without Docker never need.
  const { GenericContainer } = await import('testcontainers');
  const container = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
  return {
    url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
    source: 'testcontainers',
    stop: async () => {
      await container.stop();
    },
  };
}

/** Start a Redis for a tap test (or subtest) and stop it in its teardown. */
export async function withRedis(t: Teardownable): Promise<TestRedis> {
  const redis = await startTestRedis();
  t.teardown(() => redis.stop());
  return redis;
}
