// Revisit tasks in Redis. Each task is a hash { json, rev }; pending tasks sit in a sorted set by
// due time, and an offer takes the head out of it in one script, so two service instances never
// offer one task twice (the one whose ZREM removed it owns the offer). Every later change is a
// compare-and-set on rev: of two instances recording the same step, one wins.
//
//   revisitTask(id)    hash: json (RevisitTask without rev), rev
//   revisitDue         zset id -> due ms (pending only)
//   revisitOffered     zset id -> offer ms (offered or dialing): what recovery looks at
//   revisitAll         zset id -> created ms (the list)
//   revisitSource      marker per (call, reason): a rule creates one task per call
//   revisitDay(day)    hash of figures (FIGURE_FIELDS)
//   revisitAudit       stream of who did what
import type { Redis } from 'ioredis';
import type { RevisitTask } from '../revisit/task.ts';
import type { RedisKeys } from './keys.ts';

/** Take the first due task (due <= now) out of the due set and note it as offered. */
const CLAIM_DUE = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #ids == 0 then return false end
redis.call('ZREM', KEYS[1], ids[1])
redis.call('ZADD', KEYS[2], ARGV[1], ids[1])
return ids[1]
`;

/** Write a task if its rev is still the one read. */
const CAS = `
local rev = redis.call('HGET', KEYS[1], 'rev')
if rev ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'json', ARGV[2], 'rev', tonumber(ARGV[1]) + 1)
return 1
`;

export const FIGURE_FIELDS = ['created', 'attempted', 'reached', 'resolved', 'notResolved', 'notReached', 'refused', 'finished', 'finishedAttempts'] as const;
export type FigureField = (typeof FIGURE_FIELDS)[number];

/** Figures are kept 400 days: a year's reports and then some. */
const DAY_TTL_SEC = 400 * 86_400;

export class RevisitConflictError extends Error {
  readonly code = 'REVISIT_CONFLICT';
  constructor(readonly taskId: string) {
    super(`revisit ${taskId}: changed concurrently, try again`);
    this.name = 'RevisitConflictError';
  }
}

export class RevisitStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Store a new task; false when `source` (call, reason) already has one. */
  async create(task: RevisitTask, day: string, source?: { callId: string; reason: string }): Promise<boolean> {
    if (source) {
      const fresh = await this.redis.set(this.keys.revisitSource(source.callId, source.reason), task.id, 'EX', DAY_TTL_SEC, 'NX');
      if (fresh !== 'OK') return false;
    }
    const { rev: _rev, ...body } = task;
    await this.redis
      .multi()
      .hset(this.keys.revisitTask(task.id), 'json', JSON.stringify(body), 'rev', '1')
      .zadd(this.keys.revisitDue, task.dueMs, task.id)
      .zadd(this.keys.revisitAll, task.createdMs, task.id)
      .hincrby(this.keys.revisitDay(day), 'created', 1)
      .expire(this.keys.revisitDay(day), DAY_TTL_SEC)
      .exec();
    return true;
  }

  async get(id: string): Promise<RevisitTask | undefined> {
    const h = await this.redis.hgetall(this.keys.revisitTask(id));
    return parse(h);
  }

  /** Tasks created in [fromMs, toMs], newest first, at most `limit`. */
  async list(fromMs: number, toMs: number, limit: number): Promise<RevisitTask[]> {
    const ids = await this.redis.zrevrangebyscore(this.keys.revisitAll, toMs, fromMs, 'LIMIT', 0, limit);
    if (!ids.length) return [];
    const m = this.redis.multi();
    for (const id of ids) m.hgetall(this.keys.revisitTask(id));
    const res = (await m.exec()) ?? [];
    return res.flatMap(([, h]) => parse(h as Record<string, string>) ?? []);
  }

  /** The id of one due task, now owned by the caller (moved to the offered set); undefined if none is due. */
  async claimDue(nowMs: number): Promise<string | undefined> {
    const id = (await this.redis.eval(CLAIM_DUE, 2, this.keys.revisitDue, this.keys.revisitOffered, String(nowMs))) as string | null;
    return id ?? undefined;
  }

  /** A task the caller owns but cannot offer now goes back to the due set unchanged. */
  async unclaim(id: string, dueMs: number): Promise<void> {
    await this.redis.multi().zrem(this.keys.revisitOffered, id).zadd(this.keys.revisitDue, dueMs, id).exec();
  }

  /** Offered or dialling since before `beforeMs`. */
  async offeredBefore(beforeMs: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.revisitOffered, '-inf', beforeMs);
  }

  /**
   * Read, change, compare-and-set; the due and offered sets follow the new state. `change` returns
   * undefined to leave the task as it is (the step no longer applies).
   */
  async mutate(id: string, change: (t: RevisitTask) => RevisitTask | undefined, attempts = 5): Promise<RevisitTask | undefined> {
    for (let i = 0; i < attempts; i++) {
      const cur = await this.get(id);
      if (!cur) return undefined;
      const next = change(cur);
      if (!next) return undefined;
      const { rev: _rev, ...body } = next;
      const ok = (await this.redis.eval(CAS, 1, this.keys.revisitTask(id), String(cur.rev), JSON.stringify(body))) === 1;
      if (!ok) continue;
      const m = this.redis.multi();
      if (next.state === 'pending') m.zrem(this.keys.revisitOffered, id).zadd(this.keys.revisitDue, next.dueMs, id);
      else if (next.state === 'offered' || next.state === 'dialing') m.zrem(this.keys.revisitDue, id).zadd(this.keys.revisitOffered, next.offeredMs ?? next.dueMs, id);
      else m.zrem(this.keys.revisitDue, id).zrem(this.keys.revisitOffered, id);
      await m.exec();
      return { ...next, rev: cur.rev + 1 };
    }
    throw new RevisitConflictError(id);
  }

  async count(day: string, fields: Partial<Record<FigureField, number>>): Promise<void> {
    const m = this.redis.multi();
    for (const [f, n] of Object.entries(fields)) if (n) m.hincrby(this.keys.revisitDay(day), f, n);
    await m.expire(this.keys.revisitDay(day), DAY_TTL_SEC).exec();
  }

  async figures(day: string): Promise<Record<FigureField, number>> {
    const h = await this.redis.hgetall(this.keys.revisitDay(day));
    return Object.fromEntries(FIGURE_FIELDS.map((f) => [f, Number(h[f] ?? 0)])) as Record<FigureField, number>;
  }

  async audit(entry: { action: string; taskId: string; by: string; atMs: number; detail?: string }): Promise<void> {
    const fields = ['action', entry.action, 'taskId', entry.taskId, 'by', entry.by, 'at', String(entry.atMs), ...(entry.detail ? ['detail', entry.detail] : [])];
    await this.redis.xadd(this.keys.revisitAudit, 'MAXLEN', '~', '100000', '*', ...fields);
  }

  /** Newest first. */
  async auditOf(taskId: string, count = 200): Promise<{ action: string; by: string; atMs: number }[]> {
    const entries = (await this.redis.xrevrange(this.keys.revisitAudit, '+', '-', 'COUNT', count)) as [string, string[]][];
    const out: { action: string; by: string; atMs: number }[] = [];
    for (const [, f] of entries) {
      const o: Record<string, string> = {};
      for (let i = 0; i + 1 < f.length; i += 2) o[f[i]!] = f[i + 1]!;
      if (o.taskId === taskId) out.push({ action: o.action ?? '', by: o.by ?? '', atMs: Number(o.at) });
    }
    return out;
  }
}

function parse(h: Record<string, string> | undefined): RevisitTask | undefined {
  if (!h?.json) return undefined;
  return { ...(JSON.parse(h.json) as Omit<RevisitTask, 'rev'>), rev: Number(h.rev ?? 1) };
}
