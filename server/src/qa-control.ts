// Quality wiring: the QA store and service, and the recordings' retention sweeper.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { createQaService, type QaService } from './quality/qa-service.ts';
import { startRetentionSweeper } from './quality/retention.ts';
import type { Shutdown } from './shutdown.ts';
import { localDate } from './sla/windows.ts';
import type { RedisKeys } from './store/keys.ts';
import { QaStore } from './store/qa-store.ts';

export function startQa(deps: { config: Config; redis: Redis; keys: RedisKeys; logger: Logger; now: () => number; shutdown: Shutdown }): QaService {
  const { config } = deps;
  // QA data lives as long as the recordings it points at (and a little longer than a day's sample).
  const ttlSec = (config.recording.retentionDays + 1) * 86_400;
  const qa = createQaService({
    store: new QaStore(deps.redis, deps.keys, ttlSec),
    scorecard: config.qa.scorecard,
    rules: { share: config.qa.sampleShare, minPerAgent: config.qa.sampleMinPerAgent },
    recordingsDir: config.recording.dir,
    dayOf: (ms) => localDate(ms),
    now: deps.now,
  });
  if (config.recording.enabled) {
    const sweeper = startRetentionSweeper({ dir: config.recording.dir, retentionDays: config.recording.retentionDays, everyMin: config.recording.sweepEveryMin, now: deps.now, logger: deps.logger });
    deps.shutdown.add('inflight', 'recording-sweeper', () => sweeper.stop());
  }
  return qa;
}
