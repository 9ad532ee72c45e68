// Where CDRs go when a call completes: a Redis stream (for reports and other services) and a JSONL
// file (for audit and for sites that ship files). A CDR is written once even with two service
// instances watching the same switch: the first to claim cdrWritten(id) writes it.
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Cdr } from '../calls/cdr.ts';
import type { RedisKeys } from './keys.ts';

export interface CdrSinkOptions {
  redis: Redis;
  keys: RedisKeys;
  /** Approximate cap on the stream's length (XADD MAXLEN ~). */
  streamMaxLen: number;
  /** JSONL file to append to; undefined: Redis only. */
  jsonlPath?: string;
  /** How long the written-marker lives: longer than any resync could replay a call. */
  dedupeTtlSec?: number;
}

export class CdrSink {
  /** File appends are chained so lines never interleave. */
  private fileQueue: Promise<void> = Promise.resolve();
  private dirReady: Promise<unknown> | undefined;

  constructor(private readonly opts: CdrSinkOptions) {}

  /** Returns false if another instance (or an earlier replay) already wrote this call's CDR. */
  async write(cdr: Cdr): Promise<boolean> {
    const { redis, keys } = this.opts;
    const claimed = await redis.set(keys.cdrWritten(cdr.callId), '1', 'EX', this.opts.dedupeTtlSec ?? 7 * 86_400, 'NX');
    if (claimed !== 'OK') return false;
    const json = JSON.stringify(cdr);
    await redis.xadd(keys.cdrStream, 'MAXLEN', '~', String(this.opts.streamMaxLen), '*', 'callId', cdr.callId, 'cdr', json);
    if (this.opts.jsonlPath) await this.appendLine(this.opts.jsonlPath, json);
    return true;
  }

  private appendLine(file: string, json: string): Promise<void> {
    this.dirReady ??= mkdir(path.dirname(file), { recursive: true });
    const next = this.fileQueue.then(async () => {
      await this.dirReady;
      await appendFile(file, json + '\n', 'utf8');
    });
    // Keep the chain alive after a failure; the caller still sees this write's error.
    this.fileQueue = next.catch(() => {});
    return next;
  }

  /** Resolves when pending file writes are done (graceful shutdown). */
  flush(): Promise<void> {
    return this.fileQueue;
  }
}
