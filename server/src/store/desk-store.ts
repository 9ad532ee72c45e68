// What the agents' desk keeps in Redis: the facts of each call an agent handled (so a wrap-up can
// be filed after the call is gone from the live registry), the wrap-ups themselves, each caller
// number's recent handled calls (the repeat caller's screen pop) and each agent's figures per local
// day. Figures are stored per call (`<metric>:<callId>` fields) rather than as counters: with two
// instances seeing the same switch events, writing a fact twice must not count it twice.
import type { Redis } from 'ioredis';
import { callerKey } from '../calls/caller-number.ts';
import type { RedisKeys } from './keys.ts';

export const WRAP_UP_CATEGORY_NAMES = ['consultation', 'help', 'complaint', 'suggestion'] as const;
export type WrapUpCategoryName = (typeof WRAP_UP_CATEGORY_NAMES)[number];

export interface DeskCallFacts {
  callId: string;
  callerNumber: string;
  line: string;
  queue?: string;
  createdMs: number;
  queuedMs?: number;
}

export interface StoredWrapUp {
  id: string;
  callId: string;
  agentId: string;
  category: WrapUpCategoryName;
  summary: string;
  ticketRef?: string;
  /** Answered from the knowledge base with this entry. */
  kbEntryId?: string;
  atMs: number;
}

export interface HistoryEntry {
  callId: string;
  atMs: number;
  line: string;
  agentId?: string;
  category?: WrapUpCategoryName;
  summary?: string;
}

export interface DayFigures {
  offered: number;
  answered: number;
  answeredIn15s: number;
  talkSec: number;
  transfers: number;
  wrapUps: Record<WrapUpCategoryName, number>;
}

const FACTS_TTL_SEC = 2 * 86_400;
const DAY_TTL_SEC = 3 * 86_400;
const HISTORY_LEN = 10;
const HISTORY_TTL_SEC = 90 * 86_400;

export type DayMetric = 'offered' | 'answered' | 'in15' | 'talkMs' | 'transfer' | 'wrapup';

/** One fact of an agent's day: `<metric>:<id>` = value (default 1). */
export interface DayFact {
  readonly metric: DayMetric;
  /** The call (or call and leg) the fact is about: the same fact written twice counts once. */
  readonly id: string;
  readonly value?: string | number;
}

export class DeskStore {
  /** Facts of `record` not written yet: hash key -> field -> value (agent days and call facts). */
  private pending = new Map<string, { fields: Record<string, string>; ttlSec: number }>();
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /**
     * How long `record`'s facts gather before they are written: agent legs answer and end 330
     * times a second at the push bench's peak, and one MULTI per leg event was ~5 % of the
     * service's CPU there (profile in scripts/bench/README.md). Every fact is an idempotent HSET.
     */
    private readonly windowMs = 50,
  ) {}

  async callFacts(callId: string): Promise<DeskCallFacts | undefined> {
    // Read what this instance recorded, even within the write window (a wrap-up right after the call).
    await this.flushing?.catch(() => {});
    const h = await this.redis.hgetall(this.keys.deskCall(callId));
    if (!h.callId || h.callerNumber === undefined) return undefined;
    return {
      callId: h.callId,
      callerNumber: h.callerNumber,
      line: h.line ?? 'main',
      createdMs: Number(h.createdMs),
      ...(h.queue ? { queue: h.queue } : {}),
      ...(h.queuedMs ? { queuedMs: Number(h.queuedMs) } : {}),
    };
  }

  /** One fact of an agent's day, written at once; writing the same fact again changes nothing. */
  async recordDay(agentId: string, day: string, metric: DayMetric, callId: string, value: string | number = 1): Promise<void> {
    const key = this.keys.agentDay(agentId, day);
    await this.redis.multi().hset(key, `${metric}:${callId}`, String(value)).expire(key, DAY_TTL_SEC).exec();
  }

  /**
   * Facts of an agent's day, and the call's own facts if given: written with those of every other
   * call within `windowMs`, in one MULTI. Resolves when they are written.
   */
  record(agentId: string | undefined, day: string, facts: readonly DayFact[], call?: DeskCallFacts): Promise<void> {
    if (call) {
      const fields: Record<string, string> = { callId: call.callId, callerNumber: call.callerNumber, line: call.line, createdMs: String(call.createdMs) };
      if (call.queue) fields.queue = call.queue;
      if (call.queuedMs !== undefined) fields.queuedMs = String(call.queuedMs);
      this.add(this.keys.deskCall(call.callId), fields, FACTS_TTL_SEC);
    }
    if (agentId !== undefined && facts.length) this.add(this.keys.agentDay(agentId, day), Object.fromEntries(facts.map((f) => [`${f.metric}:${f.id}`, String(f.value ?? 1)])), DAY_TTL_SEC);
    this.flushing ??= new Promise<void>((resolve) => setTimeout(resolve, this.windowMs)).then(() => this.flush());
    return this.flushing;
  }

  private add(key: string, fields: Record<string, string>, ttlSec: number): void {
    const p = this.pending.get(key);
    if (p) Object.assign(p.fields, fields);
    else this.pending.set(key, { fields, ttlSec });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = undefined;
    if (batch.size === 0) return;
    const m = this.redis.multi();
    for (const [key, { fields, ttlSec }] of batch) m.hset(key, fields).expire(key, ttlSec);
    await m.exec();
  }

  async dayFigures(agentId: string, day: string): Promise<DayFigures> {
    await this.flushing?.catch(() => {});
    const h = await this.redis.hgetall(this.keys.agentDay(agentId, day));
    const f: DayFigures = { offered: 0, answered: 0, answeredIn15s: 0, talkSec: 0, transfers: 0, wrapUps: { consultation: 0, help: 0, complaint: 0, suggestion: 0 } };
    let talkMs = 0;
    for (const [field, value] of Object.entries(h)) {
      const metric = field.slice(0, field.indexOf(':')) as DayMetric;
      if (metric === 'offered') f.offered++;
      else if (metric === 'answered') f.answered++;
      else if (metric === 'in15' && value === '1') f.answeredIn15s++;
      else if (metric === 'talkMs') talkMs += Number(value) || 0;
      else if (metric === 'transfer') f.transfers++;
      else if (metric === 'wrapup' && value in f.wrapUps) f.wrapUps[value as WrapUpCategoryName]++;
    }
    f.talkSec = Math.round(talkMs / 1000);
    return f;
  }

  /**
   * File a wrap-up: once per agent and handling of the call (false if it was already filed). Appends it to the
   * wrap-up stream and to the caller's history.
   */
  async fileWrapUp(w: StoredWrapUp, handling: number, facts: DeskCallFacts | undefined): Promise<boolean> {
    const claimed = await this.redis.set(this.keys.wrapUpDone(w.callId, w.agentId, handling), w.id, 'EX', 30 * 86_400, 'NX');
    if (claimed !== 'OK') return false;
    const tx = this.redis.multi().xadd(this.keys.wrapUpStream, 'MAXLEN', '~', '100000', '*', 'callId', w.callId, 'wrapUp', JSON.stringify(w));
    // Callers without a number get no history: they would all share one (calls/caller-number.ts).
    const number = facts && callerKey(facts.callerNumber);
    if (facts && number) {
      const entry: HistoryEntry = { callId: w.callId, atMs: facts.createdMs, line: facts.line, agentId: w.agentId, category: w.category, summary: w.summary };
      const key = this.keys.callerHistory(number);
      tx.lpush(key, JSON.stringify(entry)).ltrim(key, 0, HISTORY_LEN - 1).expire(key, HISTORY_TTL_SEC);
    }
    await tx.exec();
    return true;
  }

  /** A number's earlier handled calls, newest first, leaving out `exceptCallId` (the current call). */
  async history(callerNumber: string, exceptCallId?: string): Promise<HistoryEntry[]> {
    const number = callerKey(callerNumber);
    if (!number) return [];
    const raw = await this.redis.lrange(this.keys.callerHistory(number), 0, HISTORY_LEN - 1);
    const out: HistoryEntry[] = [];
    for (const r of raw) {
      try {
        const e = JSON.parse(r) as HistoryEntry;
        if (e.callId !== exceptCallId) out.push(e);
      } catch {
        // a damaged entry is skipped, not fatal to the screen pop
      }
    }
    return out;
  }
}
