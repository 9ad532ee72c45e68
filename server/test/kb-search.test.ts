// Knowledge-base search with real Chinese queries over 30,000 generated hotline entries
// (scripts/lib/kb-corpus.ts, seeded), plus entries written here for the date rules.
import t from 'tap';
import { generateKbCorpus, KB_LABELLED_QUERIES } from '../../scripts/lib/kb-corpus.ts';
import { KnowledgeBase } from '../src/kb/knowledge-base.ts';
import { createJiebaSegmenter } from '../src/kb/text.ts';

const TODAY = '2026-12-06';
const bj = (local: string): number => Date.parse(`${local}+08:00`);
const NOW = bj(`${TODAY}T10:00:00`);

const corpus = generateKbCorpus({ count: 30_000, today: TODAY });
const kb = new KnowledgeBase({ segmenter: createJiebaSegmenter() });
for (const e of corpus) kb.upsert(e);

const top = (query: string, now = NOW, extra: { region?: string; category?: string } = {}): string[] => kb.search(query, { now, limit: 10, ...extra }).hits.map((h) => h.entry.question);

t.test('the corpus is what the issue asks for', async (t) => {
  t.equal(kb.size, 30_000);
  const categories = new Set(corpus.map((e) => e.category));
  for (const c of ['社保', '公积金', '户籍', '交通', '教育', '医疗', '住房', '市场监管']) t.ok(categories.has(c), c);
  t.ok(corpus.some((e) => e.validTo && e.validTo < TODAY), 'expired versions');
  t.ok(corpus.some((e) => e.validFrom && e.validFrom > TODAY), 'future versions');
  t.ok(corpus.some((e) => e.status === 'draft'), 'drafts');
});

t.test('"公积金怎么取" finds 住房公积金提取条件 first', async (t) => {
  // Query words: 公积金 (= 住房公积金), 怎么 (= 如何, in no title), 取 (-> 提取, 支取). Every
  // "住房公积金提取..." title matches both; 条件 is the shortest of them (BM25's length norm).
  const r = kb.search('公积金怎么取', { now: NOW });
  t.same(r.groups, [['公积金'], ['提取']], 'as searched: 取 became 提取 by the synonym table');
  t.equal(r.hits[0]!.entry.question, '住房公积金提取条件');
  t.ok(r.hits.every((h) => h.entry.question.startsWith('住房公积金提取')), 'the first ten are all about withdrawing');
});

t.test('"社保卡丢了" finds 社会保障卡挂失补办 first', async (t) => {
  const r = kb.search('社保卡丢了', { now: NOW });
  t.same(r.groups[0], ['社保卡', '社会保障卡']);
  t.equal(r.hits[0]!.entry.question, '社会保障卡挂失补办');
});

t.test('pinyin initials: "gjj" finds 公积金 entries, "shbzk" 社会保障卡, "zfgjjtq" 住房公积金提取', async (t) => {
  const gjj = top('gjj');
  t.equal(gjj.length, 10);
  t.ok(gjj.every((q) => q.includes('公积金')), gjj.join(' / '));
  t.ok(top('shbzk').every((q) => q.startsWith('社会保障卡')));
  t.ok(top('zfgjjtq').every((q) => q.startsWith('住房公积金提取')));
  t.ok(top('GJJ').every((q) => q.includes('公积金')), 'upper case and full-width letters are folded');
  t.ok(top('ｇｊｊ').every((q) => q.includes('公积金')));
});

t.test('labelled hotline queries: the right entry first', async (t) => {
  for (const { query, expect } of KB_LABELLED_QUERIES) t.match(top(query)[0] ?? '', expect, `${query} -> ${expect}`);
});

t.test('an expired entry is not shown; a future one appears on its day (Beijing time)', async (t) => {
  kb.upsert({
    id: 'test-expired', question: '2025年度灵活就业人员社保缴费基数', answer: '2025年度灵活就业人员社保缴费基数下限为每月4500元。',
    category: '社保', status: 'published', validFrom: '2025-01-01', validTo: '2025-12-31',
  });
  kb.upsert({
    id: 'test-future', question: '2027年住房公积金提取新政', answer: '自2027年1月1日起，租房提取住房公积金额度提高至每月2000元。',
    category: '公积金', status: 'published', validFrom: '2027-01-01',
  });
  const q1 = '灵活就业社保缴费基数2025年度';
  t.ok(top(q1, bj('2025-12-31T23:59:59.999')).includes('2025年度灵活就业人员社保缴费基数'), 'shown through its last day');
  t.notOk(top(q1, bj('2026-01-01T00:00:00')).includes('2025年度灵活就业人员社保缴费基数'), 'hidden from 00:00 the next day');
  t.notOk(top(q1).includes('2025年度灵活就业人员社保缴费基数'), 'and today');

  const q2 = '2027年公积金提取新政';
  t.notOk(top(q2, bj('2026-12-31T23:59:59.999')).includes('2027年住房公积金提取新政'), 'not the evening before');
  t.equal(top(q2, bj('2027-01-01T00:00:00'))[0], '2027年住房公积金提取新政', 'first from 00:00 Beijing time on its day');
  t.equal(top(q2, Date.parse('2026-12-31T16:00:00Z'))[0], '2027年住房公积金提取新政', '00:00 Beijing is 16:00 UTC the day before');
});

t.test('drafts never show; generated expired and future versions follow their dates', async (t) => {
  const hits = (q: string, now: number) => kb.search(q, { now, limit: 100 }).hits.map((h) => h.entry);
  const all = hits('住房公积金提取条件', NOW);
  t.ok(all.length > 0);
  for (const e of all) {
    t.equal(e.status, 'published');
    t.ok(e.validFrom! <= TODAY && (e.validTo === null || e.validTo >= TODAY), `${e.id} valid today`);
  }
  const draft = corpus.find((e) => e.status === 'draft')!;
  t.notOk(hits(draft.question as string, bj('2030-01-01T00:00:00')).some((e) => e.id === draft.id), 'a draft, even years later');
});

t.test('filters by region (city-wide entries always qualify) and category', async (t) => {
  const r = kb.search('公积金怎么取', { now: NOW, region: '滨江区', limit: 20 });
  t.ok(r.hits.length > 0 && r.hits.every((h) => h.entry.region === '滨江区' || h.entry.region === '全市'));
  t.ok(kb.search('投诉', { now: NOW, category: '交通', limit: 20 }).hits.every((h) => h.entry.category === '交通'));
  t.equal(kb.search('投诉', { now: NOW, category: '天气' }).total, 0, 'a category no entry has: nothing');
  const elsewhere = kb.search('公积金怎么取', { now: NOW, region: '火星区', limit: 50 });
  t.ok(elsewhere.total > 0 && elsewhere.hits.every((h) => h.entry.region === '全市'), 'a region no entry has: the city-wide entries');
});

t.test('add, update and remove one entry in the 30,000 without a rebuild', async (t) => {
  const entry = { id: 'test-new', question: '新能源汽车充电桩安装申请', answer: '小区业主可向物业申请安装充电桩，供电公司免费上门勘查。', category: '住房', status: 'published' as const, validFrom: '2026-01-01', tags: ['充电桩'] };
  t.equal(kb.upsert(entry), 'added');
  t.equal(top('充电桩怎么装')[0], '新能源汽车充电桩安装申请');
  t.equal(kb.upsert({ ...entry, question: '电动汽车充电设施报装' }), 'updated');
  t.equal(top('充电设施报装')[0], '电动汽车充电设施报装');
  t.notOk(top('新能源汽车充电桩安装申请').includes('新能源汽车充电桩安装申请'), 'the old question is gone from the index');
  t.ok(kb.remove('test-new'));
  t.notOk(top('充电设施报装').includes('电动汽车充电设施报装'));
  t.notOk(kb.remove('test-new'), 'removing twice: false');
  t.equal(kb.size, 30_002);
});
