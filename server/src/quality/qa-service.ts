// QA (质检): the day's sample per agent, the recording of a sampled call, scoring on the site's
// scorecard, and the day's scores per agent for reports. The sample of a finished day is drawn once
// and kept (with its seed); today's is provisional (calls keep coming) and not kept.
import path from 'node:path';
import type { Cdr } from '../calls/cdr.ts';
import type { QaCall, QaScore, QaStore } from '../store/qa-store.ts';
import { seededRandom, selectSample, weightedScore, type SampleReason } from './qa-sample.ts';

export interface ScorecardItem {
  readonly id: string;
  readonly label: string;
  readonly labelEn?: string | undefined;
  readonly weight: number;
}

export interface QaDeps {
  readonly store: QaStore;
  readonly scorecard: readonly ScorecardItem[];
  readonly rules: { readonly share: number; readonly minPerAgent: number };
  readonly recordingsDir: string;
  /** YYYY-MM-DD of a moment (Beijing), and today's. */
  readonly dayOf: (ms: number) => string;
  readonly now: () => number;
  /** Seed source for a day's draw (default: Math.random); injectable so a test can replay a draw. */
  readonly random?: () => number;
}

export interface SampleItem extends QaCall {
  readonly reason: SampleReason;
  readonly score: QaScore | null;
}

export interface AgentQaRow {
  readonly date: string;
  readonly agentId: string;
  readonly sampled: number;
  readonly scored: number;
  readonly avgScore: number | null;
}

export class QaError extends Error {
  constructor(readonly kind: 'not-found' | 'invalid', message: string) {
    super(message);
  }
}

export function createQaService(deps: QaDeps) {
  const random = deps.random ?? Math.random;

  async function sampleOf(day: string): Promise<SampleItem[]> {
    const calls = await deps.store.day(day);
    const finished = day < deps.dayOf(deps.now());
    let drawn = finished ? await deps.store.sample(day) : undefined;
    if (!drawn) {
      const seed = Math.floor(random() * 2 ** 32);
      drawn = { seed, calls: selectSample(calls, deps.rules, seededRandom(seed)) };
      if (finished) drawn = await deps.store.saveSample(day, drawn);
    }
    const byId = new Map(calls.map((c) => [c.callId, c]));
    const scores = await deps.store.scores(drawn.calls.map((s) => s.callId));
    return drawn.calls.flatMap((s) => {
      const c = byId.get(s.callId);
      return c ? [{ ...c, reason: s.reason, score: scores.get(s.callId) ?? null }] : [];
    });
  }

  return {
    scorecard: deps.scorecard,
    sampleOf,

    /** What the CDR adds to QA: answered calls with an agent only. */
    async recordCdr(cdr: Cdr): Promise<void> {
      if (cdr.outcome !== 'answered' || !cdr.agentId) return;
      await deps.store.recordCall({
        callId: cdr.callId, agentId: cdr.agentId, queue: cdr.queue, day: deps.dayOf(Date.parse(cdr.startedAt) || deps.now()), startedAt: cdr.startedAt,
        talkSec: cdr.talkSec, recordingPath: cdr.recordingPath, rating: cdr.survey?.rating ?? null, complaint: false,
      });
    },

    markComplaint: (callId: string) => deps.store.markComplaint(callId),

    /** The recording's file, only inside the recordings dir (a path on a CDR is never trusted blindly). */
    async recordingOf(callId: string): Promise<string> {
      const c = await deps.store.get(callId);
      if (!c?.recordingPath) throw new QaError('not-found', `no recording for call ${callId}`);
      const root = path.resolve(deps.recordingsDir) + path.sep;
      const file = path.resolve(c.recordingPath);
      if (!file.startsWith(root)) throw new QaError('not-found', `no recording for call ${callId}`);
      return file;
    },

    async score(callId: string, items: Readonly<Record<string, number>>, by: string, comment?: string): Promise<QaScore> {
      const c = await deps.store.get(callId);
      if (!c) throw new QaError('not-found', `no answered call ${callId}`);
      const known = new Set(deps.scorecard.map((i) => i.id));
      const extra = Object.keys(items).filter((k) => !known.has(k));
      if (extra.length) throw new QaError('invalid', `not on the scorecard: ${extra.join(', ')}`);
      let total: number;
      try {
        total = weightedScore(deps.scorecard, items);
      } catch (err) {
        throw new QaError('invalid', (err as Error).message);
      }
      const s: QaScore = { callId, agentId: c.agentId, items: { ...items }, total, by, at: deps.now(), ...(comment ? { comment } : {}) };
      await deps.store.saveScore(s);
      return s;
    },

    async agentRows(day: string): Promise<AgentQaRow[]> {
      const byAgent = new Map<string, { sampled: number; totals: number[] }>();
      for (const s of await sampleOf(day)) {
        const a = byAgent.get(s.agentId) ?? { sampled: 0, totals: [] };
        a.sampled++;
        if (s.score) a.totals.push(s.score.total);
        byAgent.set(s.agentId, a);
      }
      return [...byAgent.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([agentId, a]) => ({
        date: day, agentId, sampled: a.sampled, scored: a.totals.length,
        avgScore: a.totals.length ? Math.round((a.totals.reduce((x, y) => x + y, 0) / a.totals.length) * 10) / 10 : null,
      }));
    },
  };
}

export type QaService = ReturnType<typeof createQaService>;
