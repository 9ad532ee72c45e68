// QA in Redis (keys.ts qaCall, qaDay, qaSample, qaScore): one hash per answered call with what QA
// needs (written once, by the instance whose CDR write won), the day's set of those calls, the
// sample drawn for a day, and the scores. Kept as long as the recordings.
import type { Redis } from 'ioredis';
import type { SurveyRating } from '../calls/survey.ts';
import type { SampledCall } from '../quality/qa-sample.ts';
import type { RedisKeys } from './keys.ts';

export interface QaCall {
  readonly callId: string;
  readonly agentId: string;
  readonly queue: string | null;
  /** YYYY-MM-DD (Beijing) of the call's start. */
  readonly day: string;
  readonly startedAt: string;
  readonly talkSec: number | null;
  readonly recordingPath: string | null;
  readonly rating: SurveyRating | null;
  readonly complaint: boolean;
}

export interface QaScore {
  readonly callId: string;
  readonly agentId: string;
  readonly items: Readonly<Record<string, number>>;
  readonly total: number;
  readonly by: string;
  readonly at: number;
  readonly comment?: string;
}

export interface StoredSample {
  readonly seed: number;
  readonly calls: readonly SampledCall[];
}

export class QaStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSec: number,
  ) {}

  async recordCall(c: QaCall): Promise<void> {
    const fields: Record<string, string> = {
      // complaint only when set: a wrap-up may have marked it before the CDR came.
      callId: c.callId, agentId: c.agentId, day: c.day, startedAt: c.startedAt,
      ...(c.complaint ? { complaint: '1' } : {}),
      ...(c.queue ? { queue: c.queue } : {}),
      ...(c.talkSec !== null ? { talkSec: String(c.talkSec) } : {}),
      ...(c.recordingPath ? { recordingPath: c.recordingPath } : {}),
      ...(c.rating ? { rating: c.rating } : {}),
    };
    await this.redis.multi().hset(this.keys.qaCall(c.callId), fields).expire(this.keys.qaCall(c.callId), this.ttlSec)
      .sadd(this.keys.qaDay(c.day), c.callId).expire(this.keys.qaDay(c.day), this.ttlSec).exec();
  }

  /** An agent's wrap-up classed the call as a complaint (it may come before or after the CDR). */
  async markComplaint(callId: string): Promise<void> {
    await this.redis.multi().hset(this.keys.qaCall(callId), 'complaint', '1').expire(this.keys.qaCall(callId), this.ttlSec).exec();
  }

  async get(callId: string): Promise<QaCall | undefined> {
    return fromHash(await this.redis.hgetall(this.keys.qaCall(callId)));
  }

  async day(day: string): Promise<QaCall[]> {
    const ids = await this.redis.smembers(this.keys.qaDay(day));
    if (!ids.length) return [];
    const m = this.redis.multi();
    for (const id of ids) m.hgetall(this.keys.qaCall(id));
    const rows = (await m.exec()) ?? [];
    return rows.map(([, h]) => fromHash(h as Record<string, string>)).filter((c): c is QaCall => !!c);
  }

  async sample(day: string): Promise<StoredSample | undefined> {
    const json = await this.redis.get(this.keys.qaSample(day));
    return json ? (JSON.parse(json) as StoredSample) : undefined;
  }

  /** Keeps the first sample stored for the day (two instances drawing at once agree on one). */
  async saveSample(day: string, s: StoredSample): Promise<StoredSample> {
    const ok = await this.redis.set(this.keys.qaSample(day), JSON.stringify(s), 'EX', this.ttlSec, 'NX');
    return ok === 'OK' ? s : ((await this.sample(day)) ?? s);
  }

  async saveScore(s: QaScore): Promise<void> {
    await this.redis.set(this.keys.qaScore(s.callId), JSON.stringify(s), 'EX', this.ttlSec);
  }

  async scores(callIds: readonly string[]): Promise<Map<string, QaScore>> {
    if (!callIds.length) return new Map();
    const rows = await this.redis.mget(...callIds.map((id) => this.keys.qaScore(id)));
    const out = new Map<string, QaScore>();
    rows.forEach((r, i) => r && out.set(callIds[i]!, JSON.parse(r) as QaScore));
    return out;
  }
}

function fromHash(h: Record<string, string>): QaCall | undefined {
  if (!h.callId || !h.agentId || !h.day) return undefined;
  return {
    callId: h.callId, agentId: h.agentId, queue: h.queue ?? null, day: h.day, startedAt: h.startedAt ?? '',
    talkSec: h.talkSec ? Number(h.talkSec) : null, recordingPath: h.recordingPath ?? null,
    rating: (h.rating as SurveyRating | undefined) ?? null, complaint: h.complaint === '1',
  };
}
