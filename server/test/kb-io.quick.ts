// Knowledge-base import and export: CSV (RFC 4180 quoting, UTF-8 BOM for Excel, formula guard) and JSON.
import t from 'tap';
import { parseCsv, toCsv, UTF8_BOM } from '../src/kb/csv.ts';
import { parseEntry } from '../src/kb/entry.ts';
import { CSV_COLUMNS, exportCsv, exportJson, importCsv, importJson } from '../src/kb/io.ts';

const tricky = parseEntry({
  id: 'kb-1',
  question: '住房公积金提取条件',
  answer: '符合下列条件之一的，可以提取：\n1. 购买自住住房，"首付"满30%的；\r\n2. 离休、退休的，逗号,在这里。',
  category: '公积金',
  department: '市住房公积金管理中心',
  region: '全市',
  validFrom: '2026-01-01',
  validTo: '2026-12-31',
  source: '《住房公积金管理条例》',
  tags: ['公积金', '提取'],
  status: 'published',
});
const formula = parseEntry({ id: 'kb-2', question: '=HYPERLINK("http://example.invalid","点我")', answer: '@SUM(1+1)', tags: [], status: 'draft' });

t.test('CSV export: BOM, header, CRLF, quoting, tags joined by |, formulas defused', async (t) => {
  const csv = exportCsv([tricky, formula]);
  t.ok(csv.startsWith(UTF8_BOM), 'UTF-8 BOM first, so Excel reads Chinese');
  t.ok(csv.startsWith(`${UTF8_BOM}${CSV_COLUMNS.join(',')}\r\n`));
  t.match(csv, '"符合下列条件之一的，可以提取：\n1. 购买自住住房，""首付""满30%的；\r\n2. 离休、退休的，逗号,在这里。"');
  t.match(csv, ',公积金|提取,published\r\n');
  t.match(csv, `"'=HYPERLINK(""http://example.invalid"",""点我"")"`, 'a formula is prefixed with an apostrophe');
  t.match(csv, ",'@SUM(1+1),");
  t.match(csv, 'kb-2,', 'empty dates and status export as empty cells and the draft status');
});

t.test('CSV round trip keeps every field exactly', async (t) => {
  const back = importCsv(exportCsv([tricky, formula]));
  t.same(back.problems, []);
  t.same(back.entries, [tricky, formula]);
});

t.test('CSV import: columns in any order, case-insensitive headers, defaults for missing optional columns', async (t) => {
  const text = 'Question,ID,answer,tags,STATUS,validFrom\n社保卡挂失,kb-9,拨打热线挂失。,社保| 挂失 ,published,2026-03-01\n';
  const r = importCsv(text);
  t.same(r.problems, []);
  t.match(r.entries[0], { id: 'kb-9', question: '社保卡挂失', tags: ['社保', '挂失'], status: 'published', validFrom: '2026-03-01', validTo: null, region: '' });
});

t.test('CSV import reports every problem by spreadsheet row and imports nothing', async (t) => {
  const text = [
    'id,question,answer,validFrom,status',
    'kb-1,问题一,答案一,2026-01-01,published',
    'kb-2,,答案二,,draft',
    'kb-3,问题三,答案三,2026-02-30,published',
    'kb-1,问题四,答案四,,draft',
    'kb-5,问题五,答案五,,draft,extra',
  ].join('\r\n');
  const r = importCsv(text);
  t.same(r.entries, []);
  t.same(r.problems.map((p) => p.row), [3, 4, 5, 6]);
  t.match(r.problems[0]!.message, /question/);
  t.match(r.problems[1]!.message, /validFrom: a real calendar date/);
  t.match(r.problems[2]!.message, /id kb-1 repeats row 2/);
  t.match(r.problems[3]!.message, /6 cells for 5 columns/);
  t.match(importCsv('id,question,answr\n1,2,3\n').problems[0]!.message, /unknown columns: answr; missing columns: answer/);
  t.match(importCsv('id,question,answer\n"kb-1,q,a\n').problems[0]!.message, /line 2: a quoted field is not closed/);
  t.match(importCsv('').problems[0]!.message, /no header row/);
});

t.test('the CSV parser: quotes, doubled quotes, newlines inside quotes, CR/LF/CRLF, blank lines, BOM', async (t) => {
  t.same(parseCsv(`${UTF8_BOM}a,b\r\n"x,1","y""z"\n\n"multi\nline",\r"",last`), [['a', 'b'], ['x,1', 'y"z'], ['multi\nline', ''], ['', 'last']]);
  t.same(parseCsv('a,,c\n'), [['a', '', 'c']], 'empty cells');
  t.throws(() => parseCsv('a,b"c\n'), /line 1: a quote inside an unquoted field/);
  t.throws(() => parseCsv('"a"b,c\n'), /text after a closing quote/);
  t.same(parseCsv(toCsv([[' padded ', 'plain']]).slice(1)), [[' padded ', 'plain']], 'leading/trailing spaces survive (quoted)');
});

t.test('JSON export and import', async (t) => {
  const json = exportJson([tricky, formula]);
  t.same(JSON.parse(json), [tricky, formula]);
  t.same(importJson(json), { entries: [tricky, formula], problems: [] });
  t.same(importJson(UTF8_BOM + json).entries.length, 2, 'a BOM is tolerated');
  t.match(importJson('{"id":1}').problems[0]!.message, /expected a JSON array/);
  t.match(importJson('[{').problems[0]!.message, /not JSON/);
  const bad = importJson(JSON.stringify([{ id: 'a', question: 'q', answer: 'a' }, { id: 'b', question: 'q' }]));
  t.same(bad.entries, []);
  t.same(bad.problems.map((p) => p.row), [2]);
  t.match(bad.problems[0]!.message, /answer/);
});
