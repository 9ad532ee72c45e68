// Recording retention: recordings live in one folder per day (<dir>/<YYYY-MM-DD>/, named by
// quality/bridge-hooks.ts); a day folder is deleted once its whole day is older than the retention.
// The clock is injected, so a test can move time instead of waiting for it.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';

const DAY_MS = 86_400_000;
const DAY_DIR = /^\d{4}-\d{2}-\d{2}$/;

/** Day folders whose day ended more than retentionDays ago (UTC days, as the folders are named). */
export async function sweepRecordings(dir: string, retentionDays: number, nowMs: number): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const removed: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || !DAY_DIR.test(e.name)) continue;
    const dayEnd = Date.parse(`${e.name}T00:00:00Z`) + DAY_MS;
    if (!Number.isFinite(dayEnd) || nowMs - dayEnd < retentionDays * DAY_MS) continue;
    await rm(path.join(dir, e.name), { recursive: true, force: true });
    removed.push(e.name);
  }
  return removed.sort();
}

export interface RetentionSweeper {
  /** One sweep now (also what the timer runs). */
  sweep(): Promise<string[]>;
  stop(): void;
}

export function startRetentionSweeper(o: { dir: string; retentionDays: number; everyMin: number; now: () => number; logger: Logger }): RetentionSweeper {
  const log = o.logger.child({ component: 'recordings' });
  const sweep = async (): Promise<string[]> => {
    const removed = await sweepRecordings(o.dir, o.retentionDays, o.now());
    if (removed.length) log.info({ days: removed }, 'recordings past their retention deleted');
    return removed;
  };
  const timer = setInterval(() => void sweep().catch((err: unknown) => log.error({ err }, 'recording sweep failed')), o.everyMin * 60_000);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
