// The knowledge-base index in the small: incremental changes equal a rebuild, the synonym table is
// editable live, visibility by Beijing day, pinyin initials, input validation.
import t from 'tap';
import { generateKbCorpus } from '../../scripts/lib/kb-corpus.ts';
import { rng } from './helpers/fuzz.ts';
import { beijingDayNumber, KbInputError, visibleOnDay, type KbEntryInput } from '../src/kb/entry.ts';
import { KnowledgeBase, MAX_QUERY_CHARS, type SearchResult } from '../src/kb/knowledge-base.ts';
import { initialsOf, initialsTerms, PINYIN_PREFIX } from '../src/kb/pinyin.ts';
import { DEFAULT_SYNONYMS, formatSynonyms, parseSynonyms, Synonyms } from '../src/kb/synonyms.ts';
import { createIcuSegmenter, createJiebaSegmenter } from '../src/kb/text.ts';

const segmenter = createJiebaSegmenter();
const NOW = Date.parse('2026-12-06T10:00:00+08:00');
const QUERIES = ['公积金怎么取', '社保卡丢了', 'gjj', '驾照到期怎么换', '噪音扰民投诉', '营业执照注销要什么材料', '网购退货'];
const summary = (r: SearchResult): string[] => r.hits.map((h) => `${h.entry.id} ${h.score.toFixed(9)}`);

t.test('add / update / remove in any order gives the same index as building the end state at once', async (t) => {
  const corpus = generateKbCorpus({ count: 3000, today: '2026-12-06', seed: 7 });
  const rnd = rng(99);
  const live = new Map<string, KbEntryInput>();
  const incremental = new KnowledgeBase({ segmenter });
  let removeMismatches = 0;
  for (let step = 0; step < 6000; step++) {
    const e = corpus[Math.floor(rnd() * corpus.length)]!;
    const r = rnd();
    if (r < 0.6) {
      incremental.upsert(e);
      live.set(e.id, e);
    } else if (r < 0.8 && live.has(e.id)) {
      // An update that changes the text, so stale postings would show.
      const changed = { ...e, question: `${e.question}（修订）`, answer: `${e.answer}本条已修订。` };
      incremental.upsert(changed);
      live.set(e.id, changed);
    } else if (incremental.remove(e.id) !== live.delete(e.id)) {
      removeMismatches++;
    }
    if (step % 1500 === 0) incremental.search('公积金', { now: NOW }); // searches in between must not disturb it
  }
  t.equal(removeMismatches, 0, 'remove() says whether the entry was there');
  const rebuilt = new KnowledgeBase({ segmenter });
  for (const e of live.values()) rebuilt.upsert(e);
  t.equal(incremental.size, rebuilt.size);
  t.equal(incremental.stats().postings, rebuilt.stats().postings, 'no dead postings left behind');
  for (const q of QUERIES) t.same(summary(incremental.search(q, { now: NOW, limit: 20 })), summary(rebuilt.search(q, { now: NOW, limit: 20 })), q);
});

t.test('the synonym table is editable and applies from the next search, without re-indexing', async (t) => {
  const kb = new KnowledgeBase({ segmenter, synonyms: [] });
  kb.upsert({ id: 'a', question: '住房公积金提取条件', answer: '符合条件可提取。', status: 'published', validFrom: '2026-01-01' });
  const before = kb.search('公积金怎么取', { now: NOW });
  t.same(before.groups, [['公积金']], 'without the table, 取 finds nothing: only 公积金 matches');
  const text = '# 取钱\n取 取出 => 提取 支取\n公积金，住房公积金\n';
  const table = parseSynonyms(text);
  t.same(table, [{ words: ['取', '取出'], expandsTo: ['提取', '支取'] }, { words: ['公积金', '住房公积金'] }]);
  t.equal(formatSynonyms(table), '取 取出 => 提取 支取\n公积金 住房公积金\n');
  kb.setSynonyms(table);
  const after = kb.search('公积金怎么取', { now: NOW });
  t.same(after.groups, [['公积金'], ['提取']]);
  t.ok(after.hits[0]!.score > before.hits[0]!.score, 'the second word adds to the score');
  const syn = new Synonyms(table);
  t.same(syn.alternatives('取'), ['取', '取出', '提取', '支取']);
  t.same(syn.alternatives('提取'), ['提取'], 'a one-way rule does not expand back');
  t.same(new Synonyms(DEFAULT_SYNONYMS).alternatives('社保卡'), ['社保卡', '社会保障卡']);
});

t.test('visibility by Beijing day', async (t) => {
  const bjDay = (local: string): number => beijingDayNumber(Date.parse(`${local}+08:00`));
  const e = { status: 'published' as const, validFrom: '2026-12-07', validTo: '2026-12-31' };
  t.notOk(visibleOnDay(e, bjDay('2026-12-06T23:59:59.999')));
  t.ok(visibleOnDay(e, bjDay('2026-12-07T00:00:00')));
  t.ok(visibleOnDay(e, bjDay('2026-12-31T23:59:59.999')));
  t.notOk(visibleOnDay(e, bjDay('2027-01-01T00:00:00')));
  t.notOk(visibleOnDay({ ...e, status: 'draft' }, bjDay('2026-12-10T12:00:00')));
  t.ok(visibleOnDay({ ...e, validTo: null }, bjDay('2099-01-01T00:00:00')), 'no end date: visible for good');
});

t.test('pinyin initials read polyphones in context', async (t) => {
  t.equal(initialsOf('公积金'), 'gjj');
  t.equal(initialsOf('银行'), 'yh');
  t.equal(initialsOf('重庆'), 'cq');
  t.equal(initialsOf('行政复议'), 'xzfy');
  t.equal(initialsOf('朝阳区'), 'cyq');
  t.same(initialsTerms(['住房', '公积金', '提取', '条件']).map((x) => x.slice(PINYIN_PREFIX.length)).sort(), ['gjj', 'gjjtq', 'gjjtqtj', 'tj', 'tq', 'tqtj', 'zf', 'zfgjj', 'zfgjjtq', 'zfgjjtqtj'].sort());
  const kb = new KnowledgeBase({ segmenter });
  kb.upsert({ id: 'x', question: '重庆户口迁移', answer: '到户籍窗口办理。', status: 'published', validFrom: '2026-01-01' });
  t.equal(kb.search('cqhk', { now: NOW }).hits[0]?.entry.id, 'x', 'typed initials, exactly');
  t.equal(kb.search('cqh', { now: NOW }).hits[0]?.entry.id, 'x', 'and as a prefix');
});

t.test('segmenters: jieba keeps hotline words whole, Intl.Segmenter does not', async (t) => {
  t.same(segmenter.forQuery('社保卡丢了'), ['社保卡', '丢', '了']);
  t.same(segmenter.forQuery('社会保障卡挂失补办'), ['社会保障卡', '挂失', '补办']);
  t.ok(segmenter.forIndex('社会保障卡').includes('社会') && segmenter.forIndex('社会保障卡').includes('社会保障卡'), 'search mode also gives the inner words');
  const icu = createIcuSegmenter();
  t.same(icu.forQuery('公积金').filter((w) => w.trim()), ['公', '积', '金'], 'ICU splits 公积金 into characters');
  // The ICU segmenter still works as a KnowledgeBase segmenter (the bench compares the two).
  const kb = new KnowledgeBase({ segmenter: icu });
  kb.upsert({ id: 'a', question: '住房公积金提取条件', answer: '符合条件可提取。', status: 'published', validFrom: '2026-01-01' });
  t.equal(kb.search('公积金提取', { now: NOW }).hits[0]?.entry.id, 'a');
});

t.test('bad entries and bad searches get clear errors and change nothing', async (t) => {
  const kb = new KnowledgeBase({ segmenter });
  t.throws(() => kb.upsert({ id: 'a', question: '', answer: 'x' }), { name: 'KbInputError', message: /question/ });
  t.throws(() => kb.upsert({ id: 'a', question: 'q', answer: 'x', status: 'published' }), { message: /validFrom: a published entry needs validFrom/ });
  t.throws(() => kb.upsert({ id: 'a', question: 'q', answer: 'x', validFrom: '2026-12-07', validTo: '2026-12-01' }), { message: /validTo is before validFrom/ });
  t.throws(() => kb.upsert({ id: 'a b', question: 'q', answer: 'x' }), KbInputError);
  t.throws(() => kb.upsert({ id: 'a', question: 'q', answer: 'x', tags: ['a|b'] }), /no '\|'/);
  t.throws(() => kb.upsert({ id: 'a', question: 'q', answer: 'x', extra: 1 }), /extra/);
  t.equal(kb.size, 0);
  t.throws(() => kb.search('x', { now: Number.NaN }), RangeError);
  t.same(kb.search('', { now: NOW }).hits, []);
  t.same(kb.search('！？。', { now: NOW }).hits, [], 'punctuation only');
  kb.upsert({ id: 'b', question: '公积金提取', answer: '可以提取。', status: 'published', validFrom: '2026-01-01' });
  t.same(kb.search(`${'无关'.repeat(100)}公积金`, { now: NOW }).hits, [], `a query is cut at ${MAX_QUERY_CHARS} characters`);
  t.equal(kb.search(`公积金${'无关'.repeat(100_000)}`, { now: NOW }).hits[0]?.entry.id, 'b', 'and a huge one costs no more than that');
});
