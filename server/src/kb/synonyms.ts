// The synonym table: groups of words a caller may use for one thing. Applied at query time only, so
// editing the table takes effect on the next search with no re-indexing.
//
// Two kinds of rule, as in Solr's synonym files:
//   公积金 住房公积金          equivalent: each word also searches for the others
//   丢了 丢失 => 挂失 补办     one-way: the left words (equivalent among themselves) also search
//                              for the right ones, not the other way round ("补办" is not "丢了")
// Text form (parseSynonyms / formatSynonyms): one rule per line, words separated by spaces, commas
// or 、; '#' starts a comment. A word may sit in several rules; its alternatives are their union.

export interface SynonymRule {
  readonly words: readonly string[];
  /** One-way expansions of `words`. */
  readonly expandsTo?: readonly string[];
}

export type SynonymTable = readonly SynonymRule[];

const eq = (...words: string[]): SynonymRule => ({ words });
const oneWay = (words: string[], expandsTo: string[]): SynonymRule => ({ words, expandsTo });

export const DEFAULT_SYNONYMS: SynonymTable = [
  eq('公积金', '住房公积金'),
  eq('社保卡', '社会保障卡'),
  eq('社保', '社会保险'),
  eq('医保', '医疗保险'),
  oneWay(['丢了', '丢', '丢失', '遗失', '掉了'], ['挂失', '补办']),
  oneWay(['取', '取出'], ['提取', '支取']),
  oneWay(['领', '领取'], ['申领']),
  eq('怎么', '如何', '怎样'),
  oneWay(['哪里', '在哪', '在哪里'], ['地点', '地址']),
  oneWay(['多久', '多长时间'], ['时限', '期限']),
  oneWay(['多少钱', '费用'], ['收费', '收费标准']),
  eq('材料', '资料'),
  eq('办', '办理'),
  eq('补办', '补领', '补发'),
  eq('身份证', '居民身份证'),
  eq('户口', '户籍'),
  oneWay(['上户口', '入户'], ['落户']),
  eq('驾照', '驾驶证'),
  eq('孩子', '子女', '小孩'),
  eq('上学', '入学'),
  eq('退休金', '养老金'),
  eq('失业金', '失业保险金'),
  eq('网上', '线上', '在线'),
  eq('公租房', '公共租赁住房'),
  eq('出租车', '的士', '出租汽车'),
  eq('电动车', '电动自行车'),
  oneWay(['吵', '太吵', '吵闹'], ['噪音', '噪声', '扰民']),
  eq('拖欠工资', '欠薪'),
  eq('投诉', '举报'),
];

const words = (s: string): string[] => s.split(/[\s,，、]+/).filter(Boolean);

export function parseSynonyms(text: string): SynonymTable {
  const rules: SynonymRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '');
    const arrow = line.indexOf('=>');
    if (arrow < 0) {
      const w = words(line);
      if (w.length >= 2) rules.push({ words: w });
    } else {
      const [left, right] = [words(line.slice(0, arrow)), words(line.slice(arrow + 2))];
      if (left.length && right.length) rules.push({ words: left, expandsTo: right });
    }
  }
  return rules;
}

export const formatSynonyms = (table: SynonymTable): string =>
  table.map((r) => (r.expandsTo?.length ? `${r.words.join(' ')} => ${r.expandsTo.join(' ')}` : r.words.join(' '))).join('\n') + '\n';

/** Word -> its alternatives (itself first), from a table. Words are compared after normalisation. */
export class Synonyms {
  readonly #map = new Map<string, string[]>();

  constructor(table: SynonymTable, normalize: (w: string) => string = (w) => w) {
    for (const rule of table) {
      const left = rule.words.map(normalize);
      const targets = [...left, ...(rule.expandsTo ?? []).map(normalize)];
      for (const w of left) {
        const alts = this.#map.get(w) ?? [w];
        for (const o of targets) if (!alts.includes(o)) alts.push(o);
        this.#map.set(w, alts);
      }
    }
  }

  alternatives(word: string): readonly string[] {
    return this.#map.get(word) ?? [word];
  }
}
