import { generateKbCorpus } from './lib/kb-corpus.ts';
import { KnowledgeBase } from '../server/src/kb/knowledge-base.ts';
import { createJiebaSegmenter } from '../server/src/kb/text.ts';
const kb = new KnowledgeBase({ segmenter: createJiebaSegmenter() });
for (const e of generateKbCorpus({ count: 30000, today: '2026-12-06' })) kb.upsert(e);
const now = Date.parse('2026-12-06T10:00:00+08:00');
for (const q of ['办理', '居住证在哪里办', '孩子上学积分入学怎么申请需要哪些材料在哪里办', '网上办理渠道']) {
  const r = kb.search(q, { now }); 
  const ts: number[] = [];
  for (let i = 0; i < 200; i++) { const t = performance.now(); kb.search(q, { now }); ts.push(performance.now() - t); }
  ts.sort((a, b) => a - b);
  console.log(q, 'p50', ts[100]!.toFixed(3), 'total', r.total, JSON.stringify(r.groups));
}
