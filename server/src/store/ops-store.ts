// Report figures beside the SLA counters, in Redis (keys.ts opsInterval, opsAudit; agents'
// figures are folded from their audit trails, ops/agent-time.ts):
//   opsInterval(scope, start)  hash of additive call facts (ops/call-facts.ts) per 15-minute interval;
//                              written once per call: only the instance whose CDR write won calls it.
//   opsAudit                   stream of supervisors' actions.
// Kept as long as the SLA intervals (90 days by default).
import type { Redis } from 'ioredis';
import { CALL_FACT_FIELDS, emptyFacts, type CallFacts } from '../ops/call-facts.ts';
import type { Transition } from '../ops/agent-time.ts';
import { auditFromStream } from './agent-hash.ts';
import type { RedisKeys } from './keys.ts';

export interface OpsAuditEntry {
  readonly at: number;
  readonly by: string;
  readonly action: string;
  readonly target: string;
  readonly detail?: string;
}

export class OpsStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSec = 90 * 86_400,
  ) {}

  async recordCall(scopes: readonly string[], intervalStartMs: number, facts: Partial<CallFacts>): Promise<void> {
    const m = this.redis.multi();
    for (const scope of scopes) {
      const key = this.keys.opsInterval(scope, intervalStartMs);
      for (const f of CALL_FACT_FIELDS) if (facts[f]) m.hincrby(key, f, Math.round(facts[f]));
      m.expire(key, this.ttlSec);
    }
    await m.exec();
  }

  /**
   * A call answered from the knowledge base, counted once per call (a call wrapped up twice, after
   * a transfer came back, counts once): false if it was counted already.
   */
  async recordKbAnswered(callId: string, entryId: string, scopes: readonly string[], intervalStartMs: number): Promise<boolean> {
    if ((await this.redis.set(this.keys.kbAnswered(callId), entryId, 'EX', this.ttlSec, 'NX')) !== 'OK') return false;
    await this.recordCall(scopes, intervalStartMs, { kbAnswered: 1 });
    return true;
  }

  async intervals(scope: string, startsMs: readonly number[]): Promise<CallFacts[]> {
    if (!startsMs.length) return [];
    const m = this.redis.multi();
    for (const s of startsMs) m.hgetall(this.keys.opsInterval(scope, s));
    const res = (await m.exec()) ?? [];
    return startsMs.map((_, i) => {
      const [err, h] = res[i] ?? [null, {}];
      if (err) throw err;
      const c = emptyFacts();
      for (const f of CALL_FACT_FIELDS) c[f] = Number((h as Record<string, string>)[f] ?? 0);
      return c;
    });
  }

  /**
   * An agent's transitions for [fromMs, toMs): the last one at or before fromMs and those inside,
   * oldest first, from its audit trail (agentAudit). Entry ids are Redis' clock and `at` the
   * service's, so the read is a minute wider and the cut is made on `at`.
   */
  async transitions(agentId: string, fromMs: number, toMs: number): Promise<{ before: Transition | undefined; entries: Transition[] }> {
    const key = this.keys.agentAudit(agentId);
    const slack = 60_000;
    const [head, body] = await Promise.all([
      this.redis.xrevrange(key, String(Math.max(0, fromMs - slack)), '-', 'COUNT', 1) as Promise<[string, string[]][]>,
      this.redis.xrange(key, String(Math.max(0, fromMs - slack)), String(toMs + slack)) as Promise<[string, string[]][]>,
    ]);
    const byId = new Map([...head, ...body].map(([id, f]) => [id, auditFromStream(id, f)] as const));
    const all = [...byId.values()].sort((a, b) => a.at - b.at);
    let before: Transition | undefined;
    const entries: Transition[] = [];
    for (const e of all) {
      if (e.at <= fromMs) before = e;
      else if (e.at < toMs) entries.push(e);
    }
    return { before, entries };
  }

  async audit(entry: OpsAuditEntry): Promise<void> {
    const fields = ['at', String(entry.at), 'by', entry.by, 'action', entry.action, 'target', entry.target, ...(entry.detail ? ['detail', entry.detail] : [])];
    await this.redis.xadd(this.keys.opsAudit, 'MAXLEN', '~', '100000', '*', ...fields);
  }

  /** Newest first. */
  async auditTrail(count = 50): Promise<OpsAuditEntry[]> {
    const rows = (await this.redis.xrevrange(this.keys.opsAudit, '+', '-', 'COUNT', count)) as [string, string[]][];
    return rows.map(([, f]) => {
      const o: Record<string, string> = {};
      for (let i = 0; i + 1 < f.length; i += 2) o[f[i]!] = f[i + 1]!;
      return { at: Number(o.at), by: o.by ?? '', action: o.action ?? '', target: o.target ?? '', ...(o.detail ? { detail: o.detail } : {}) };
    });
  }
}
