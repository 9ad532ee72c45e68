// The QA sample (质检抽样) of one day: for each agent, every call with a complaint and every call
// rated "not satisfied", plus a random share of the rest (at least `minPerAgent` when there are
// that many). Pure: the day's calls and a random source in, the sample out; the randomness is
// injected so tests (and an audit) can replay a draw from its seed.
import type { SurveyRating } from '../calls/survey.ts';

export interface QaCandidate {
  readonly callId: string;
  readonly agentId: string;
  readonly rating: SurveyRating | null;
  readonly complaint: boolean;
}

export type SampleReason = 'complaint' | 'not-satisfied' | 'random';

export interface SampledCall {
  readonly callId: string;
  readonly agentId: string;
  readonly reason: SampleReason;
}

export interface SampleRules {
  /** Fraction of each agent's calls drawn at random (0..1). */
  readonly share: number;
  readonly minPerAgent: number;
}

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export function selectSample(calls: readonly QaCandidate[], rules: SampleRules, random: () => number): SampledCall[] {
  const byAgent = new Map<string, QaCandidate[]>();
  // Sorted first, so that a draw depends on the calls and the seed, not on the order they came in.
  for (const c of [...calls].sort((a, b) => (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0))) {
    const list = byAgent.get(c.agentId) ?? [];
    list.push(c);
    byAgent.set(c.agentId, list);
  }
  const out: SampledCall[] = [];
  for (const agentId of [...byAgent.keys()].sort()) {
    const list = byAgent.get(agentId)!;
    const rest: QaCandidate[] = [];
    for (const c of list) {
      if (c.complaint) out.push({ callId: c.callId, agentId, reason: 'complaint' });
      else if (c.rating === 'not-satisfied') out.push({ callId: c.callId, agentId, reason: 'not-satisfied' });
      else rest.push(c);
    }
    const want = Math.min(rest.length, Math.max(rules.minPerAgent, Math.round(rules.share * list.length)));
    // Partial Fisher-Yates: the first `want` places get a uniform draw without replacement.
    for (let i = 0; i < want; i++) {
      const j = i + Math.floor(random() * (rest.length - i));
      [rest[i], rest[j]] = [rest[j]!, rest[i]!];
      out.push({ callId: rest[i]!.callId, agentId, reason: 'random' });
    }
  }
  return out;
}

/** A scorecard's weighted total (0-100) from item scores 0-100; every item must be scored. */
export function weightedScore(items: readonly { id: string; weight: number }[], scores: Readonly<Record<string, number>>): number {
  let sum = 0;
  let weights = 0;
  for (const i of items) {
    const s = scores[i.id];
    if (s === undefined || !Number.isFinite(s) || s < 0 || s > 100) throw new RangeError(`score for ${i.id} must be 0-100`);
    sum += s * i.weight;
    weights += i.weight;
  }
  return Math.round((sum / weights) * 10) / 10;
}
