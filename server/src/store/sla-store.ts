// SLA counters and outcomes in Redis (the SlaStore of sla/store.ts).
//   slaRecorded(callId)         SET NX marker: the first outcome recorded for a call wins, whichever
//                               instance records it (a callback recorded by the ACD beats the
//                               abandon seen when the caller then hangs up).
//   slaInterval(scope, start)   hash of additive counters, the durable per-interval report.
//   slaOutcomes(scope)          sorted set of outcomes scored by t0 (ms), for exact rolling windows;
//                               pruned past 25 h (24 h plus room for late records).
//   slaAlerts                   hash scope -> alert state, changed compare-and-set so that one
//                               instance (the one that wins) logs and notifies each change.
import type { Redis } from 'ioredis';
import type { AlertState } from '../sla/alert.ts';
import { COUNTER_FIELDS, emptyCounters, type Counters, type Outcome, type OutcomeKind } from '../sla/outcome.ts';
import { scopesOf, type Scope, type SlaStore } from '../sla/store.ts';
import { ROLLING_MS, inRolling, intervalStart } from '../sla/windows.ts';
import type { RedisKeys } from './keys.ts';

const KEEP_OUTCOMES_MS = 25 * 3_600_000;

// One script so that the marker, both scopes' counters and both outcome sets change together or
// not at all: a crash between them can neither count a call twice nor lose half of it.
const RECORD_LUA = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
for i = 2, 3 do
  for j = 6, #ARGV, 2 do redis.call('HINCRBY', KEYS[i], ARGV[j], ARGV[j + 1]) end
  redis.call('EXPIRE', KEYS[i], ARGV[2])
end
for i = 4, 5 do
  redis.call('ZADD', KEYS[i], ARGV[4], ARGV[3])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', '(' .. ARGV[5])
end
return 1
`;

const CHANGE_ALERT_LUA = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and cjson.decode(cur).firing == (ARGV[2] == '1') then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
`;

// Compact members: the rolling window of a big center holds ~100k of them.
interface Member {
  c: string;
  q: string;
  k: OutcomeKind;
  t: number;
  a: number;
}

export interface SlaRedisStoreOptions {
  /** How long interval counters are kept (the day and interval reports). Default 90 days. */
  intervalTtlSec?: number;
  /** How long a call's "recorded" marker lives: longer than any late duplicate. Default 48 h. */
  markerTtlSec?: number;
}

export class SlaRedisStore implements SlaStore {
  private readonly intervalTtlSec: number;
  private readonly markerTtlSec: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    options: SlaRedisStoreOptions = {},
  ) {
    this.intervalTtlSec = options.intervalTtlSec ?? 90 * 86_400;
    this.markerTtlSec = options.markerTtlSec ?? 48 * 3_600;
  }

  async record(o: Outcome, add: Partial<Counters>, nowMs: number): Promise<boolean> {
    const [center, queue] = scopesOf(o);
    const start = intervalStart(Math.floor(o.t0Us / 1000));
    const member: Member = { c: o.callId, q: o.queue, k: o.kind, t: o.t0Us, a: o.atUs };
    const fields = COUNTER_FIELDS.flatMap((f) => (add[f] ? [f, String(Math.round(add[f]))] : []));
    const res = await this.redis.eval(
      RECORD_LUA,
      5,
      this.keys.slaRecorded(o.callId),
      this.keys.slaInterval(center, start),
      this.keys.slaInterval(queue, start),
      this.keys.slaOutcomes(center),
      this.keys.slaOutcomes(queue),
      this.markerTtlSec,
      this.intervalTtlSec,
      JSON.stringify(member),
      Math.floor(o.t0Us / 1000),
      nowMs - KEEP_OUTCOMES_MS,
      ...fields,
    );
    return res === 1;
  }

  async intervals(scope: Scope, startsMs: readonly number[]): Promise<Counters[]> {
    if (!startsMs.length) return [];
    const m = this.redis.multi();
    for (const s of startsMs) m.hgetall(this.keys.slaInterval(scope, s));
    const res = (await m.exec()) ?? [];
    return startsMs.map((_, i) => {
      const [err, h] = res[i] ?? [null, {}];
      if (err) throw err;
      const c = emptyCounters();
      for (const f of COUNTER_FIELDS) c[f] = Number((h as Record<string, string>)[f] ?? 0);
      return c;
    });
  }

  async rollingOutcomes(scope: Scope, atUs: number, rollingMs = ROLLING_MS): Promise<Outcome[]> {
    // Scores are whole ms: fetch the covering ms range, then cut exactly on the µs t0 in the member.
    const fromMs = Math.floor((atUs - rollingMs * 1000) / 1000);
    const raw = await this.redis.zrangebyscore(this.keys.slaOutcomes(scope), fromMs, Math.floor(atUs / 1000));
    const out: Outcome[] = [];
    for (const json of raw) {
      const m = JSON.parse(json) as Member;
      if (inRolling(m.t, atUs, rollingMs)) out.push({ callId: m.c, queue: m.q, kind: m.k, t0Us: m.t, atUs: m.a });
    }
    return out;
  }

  async alertStates(): Promise<Map<Scope, AlertState>> {
    const h = await this.redis.hgetall(this.keys.slaAlerts);
    return new Map(Object.entries(h).map(([scope, json]) => [scope, JSON.parse(json) as AlertState]));
  }

  async changeAlert(scope: Scope, next: AlertState): Promise<boolean> {
    const state: AlertState = { firing: next.firing, sinceMs: next.sinceMs };
    const res = await this.redis.eval(CHANGE_ALERT_LUA, 1, this.keys.slaAlerts, scope, next.firing ? '1' : '0', JSON.stringify(state));
    return res === 1;
  }

  async queues(): Promise<string[]> {
    return this.redis.smembers(this.keys.queues);
  }
}

