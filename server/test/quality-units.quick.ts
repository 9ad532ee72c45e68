// Issue #14, the pure parts of survey, recording and QA: the survey's key -> rating mapping and
// how it is read off the caller's CHANNEL_HANGUP_COMPLETE, the recording path, the retention
// sweep under a moved clock (real files in a temporary folder), the QA sample with a seeded draw,
// and the scorecard's weighted total.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { surveyRating, surveyVars } from '../src/calls/survey.ts';
import { toSwitchEvent } from '../src/freeswitch/event-map.ts';
import { recordingPath } from '../src/quality/bridge-hooks.ts';
import { seededRandom, selectSample, weightedScore, type QaCandidate } from '../src/quality/qa-sample.ts';
import { sweepRecordings } from '../src/quality/retention.ts';

const hangupComplete = (vars: Record<string, string>) => {
  const h: Record<string, string> = {
    'Event-Name': 'CHANNEL_HANGUP_COMPLETE', 'Unique-ID': 'c1', 'Event-Sequence': '9', 'Event-Date-Timestamp': '1700000000000000', 'Call-Direction': 'inbound',
    ...Object.fromEntries(Object.entries(vars).map(([k, v]) => [`variable_${k}`, v])),
  };
  return toSwitchEvent('fs1', { get: (n) => h[n], headers: () => Object.entries(h) });
};

t.test('survey: keys map to ratings; asked without a usable key is not rated; never asked is null', async (t) => {
  t.equal(surveyRating({ digit: '1' }), 'satisfied');
  t.equal(surveyRating({ digit: '2' }), 'basically-satisfied');
  t.equal(surveyRating({ digit: '3' }), 'not-satisfied');
  t.equal(surveyRating({ digit: '7' }), 'not-rated', 'a key the site does not use');
  t.equal(surveyRating({}), 'not-rated', 'no key (timeout or hang-up during the prompt)');
  t.equal(surveyRating(undefined), null, 'the caller hung up first: never asked');
  t.equal(surveyRating({ digit: '1' }, { satisfied: '5', basicallySatisfied: '6', notSatisfied: '1' }), 'not-satisfied', 'the site\'s own keys');
  const vars = surveyVars({ prompt: 'survey.wav', thanksPrompt: 'bye.wav', keys: { satisfied: '1', basicallySatisfied: '2', notSatisfied: '3' }, timeoutSec: 8 }, 'hotline/');
  t.same(vars, {
    hotline_survey_prompt: 'hotline/survey.wav', hotline_survey_thanks: 'hotline/bye.wav', hotline_survey_keys: '123', hotline_survey_timeout_ms: '8000',
    transfer_after_bridge: 'hotline_survey:XML:hotline_queue',
  });
  t.equal(Object.keys(vars).at(-1), 'transfer_after_bridge', 'armed last: a half-set survey never runs');
});

t.test('survey facts at the caller leg\'s CHANNEL_HANGUP_COMPLETE', async (t) => {
  const facts = (v: Record<string, string>) => {
    const ev = hangupComplete(v);
    return ev?.type === 'channel-hangup-complete' ? ev.facts?.survey : 'wrong event';
  };
  t.same(facts({ hotline_survey: 'offered', hotline_survey_digit: '2' }), { digit: '2' });
  t.same(facts({ hotline_survey: 'offered' }), {}, 'asked, no key');
  t.same(facts({ hotline_survey: 'offered', hotline_survey_digit: '12; DROP' }), {}, 'a garbled key is no answer');
  t.equal(facts({ hotline_survey_digit: '1' }), undefined, 'a key without the survey having run is ignored');
});

t.test('recording path: one folder per UTC day', async (t) => {
  t.equal(recordingPath('/rec/', 'c0ffee00-0000-4000-8000-000000000001', Date.parse('2026-12-06T23:59:59Z')), '/rec/2026-12-06/c0ffee00-0000-4000-8000-000000000001.wav');
});

t.test('retention: a day folder goes once its whole day is older than the retention', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hotline-ret-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const d of ['2026-11-01', '2026-11-05', '2026-11-06', 'not-a-day']) {
    await mkdir(path.join(dir, d));
    await writeFile(path.join(dir, d, 'x.wav'), 'RIFF');
  }
  await writeFile(path.join(dir, '2026-10-01.wav'), 'a file, not a day folder');
  // A fake clock: 2026-12-06 12:00 UTC with 30 days kept. 2026-11-05 ended at 11-06 00:00, which is
  // 30.5 days ago: deleted. 2026-11-06 ended 29.5 days ago: kept.
  let now = Date.parse('2026-12-06T12:00:00Z');
  t.same(await sweepRecordings(dir, 30, now), ['2026-11-01', '2026-11-05']);
  t.same((await readdir(dir)).sort(), ['2026-10-01.wav', '2026-11-06', 'not-a-day'], 'other entries untouched');
  now += 86_400_000;
  t.same(await sweepRecordings(dir, 30, now), ['2026-11-06'], 'a day later the next folder goes');
  t.same(await sweepRecordings(path.join(dir, 'missing'), 30, now), [], 'no recordings dir yet: nothing to do');
});

t.test('QA sample: complaints and unsatisfied always, a seeded random share of the rest, per agent', async (t) => {
  const calls: QaCandidate[] = [];
  for (let i = 0; i < 40; i++) calls.push({ callId: `a${String(i).padStart(2, '0')}`, agentId: '1001', rating: i === 3 ? 'not-satisfied' : i % 2 ? 'satisfied' : null, complaint: i === 7 });
  for (let i = 0; i < 3; i++) calls.push({ callId: `b${i}`, agentId: '1002', rating: 'not-rated', complaint: false });
  const rules = { share: 0.1, minPerAgent: 1 };
  const s1 = selectSample(calls, rules, seededRandom(42));
  const mine = s1.filter((s) => s.agentId === '1001');
  t.same(mine.filter((s) => s.reason !== 'random').map((s) => [s.callId, s.reason]), [['a03', 'not-satisfied'], ['a07', 'complaint']], 'every unsatisfied rating and complaint');
  t.equal(mine.filter((s) => s.reason === 'random').length, 4, '10% of 40 at random');
  t.equal(new Set(s1.map((s) => s.callId)).size, s1.length, 'no call twice');
  t.equal(s1.filter((s) => s.agentId === '1002').length, 1, 'at least the minimum for a quiet agent');
  t.same(selectSample([...calls].reverse(), rules, seededRandom(42)), s1, 'the same seed draws the same sample, whatever the order');
  const other = selectSample(calls, rules, seededRandom(7)).filter((s) => s.reason === 'random' && s.agentId === '1001').map((s) => s.callId);
  t.not(other.join(), mine.filter((s) => s.reason === 'random').map((s) => s.callId).join(), 'another seed, another draw');
  t.same(selectSample(calls, { share: 0, minPerAgent: 0 }, seededRandom(1)).map((s) => s.reason), ['not-satisfied', 'complaint'], 'share 0: only the mandatory ones');
});

t.test('scorecard: weighted total, every item scored 0-100', async (t) => {
  const card = [{ id: 'a', weight: 20 }, { id: 'b', weight: 80 }];
  t.equal(weightedScore(card, { a: 100, b: 50 }), 60);
  t.throws(() => weightedScore(card, { a: 100 }), RangeError, 'a missing item');
  t.throws(() => weightedScore(card, { a: 100, b: 101 }), RangeError, 'out of range');
});
