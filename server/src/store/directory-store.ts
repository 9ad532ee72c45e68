// The department directory in Redis: one hash, entry id -> JSON. Small (hundreds of entries), read
// whole for a search.
import type { Redis } from 'ioredis';
import type { DirectoryEntry } from '../directory/entry.ts';
import type { DirectoryStorePort } from '../directory/service.ts';
import type { RedisKeys } from './keys.ts';

/** KEYS[1] the directory hash; ARGV id, json. Sets the field only if it exists (1), else 0. */
const REPLACE = `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1 end return 0`;

export class DirectoryStore implements DirectoryStorePort {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async all(): Promise<DirectoryEntry[]> {
    return Object.values(await this.redis.hgetall(this.keys.directory)).map((j) => JSON.parse(j) as DirectoryEntry);
  }

  async get(id: string): Promise<DirectoryEntry | undefined> {
    const j = await this.redis.hget(this.keys.directory, id);
    return j ? (JSON.parse(j) as DirectoryEntry) : undefined;
  }

  async put(e: DirectoryEntry, mustExist: boolean): Promise<boolean> {
    if (mustExist) return Number(await this.redis.eval(REPLACE, 1, this.keys.directory, e.id, JSON.stringify(e))) === 1;
    return (await this.redis.hsetnx(this.keys.directory, e.id, JSON.stringify(e))) === 1;
  }

  async remove(id: string): Promise<boolean> {
    return (await this.redis.hdel(this.keys.directory, id)) === 1;
  }
}
