// Text analysis for the knowledge base: normalisation, word segmentation, stop words.
//
// Two segmenters share one interface (README.md in this folder has the measured comparison):
//   createJiebaSegmenter(words?)  @node-rs/jieba (jieba-rs through N-API, prebuilt binaries as npm
//                                 packages) with a small hotline dictionary added: the default
//   createIcuSegmenter()          Intl.Segmenter (ICU's dictionary word breaker, built into Node):
//                                 no dependency, far worse on hotline terms; kept for comparison
// Entries are indexed in jieba's search mode (every dictionary word, also the words inside a longer
// one: 社会保障卡 gives 社会, 保障, 保障卡, 社会保障卡) and queries are cut in its precise mode, the
// usual index/query split of jieba and IK analyzers: a query word then matches whether an entry
// spelled it alone or inside a compound.
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

export interface Segmenter {
  readonly name: string;
  /** Index time: all words, the nested ones too. */
  forIndex(text: string): string[];
  /** Query time: the most likely segmentation. */
  forQuery(text: string): string[];
}

/**
 * Hotline words that jieba's general dictionary splits (社会保障卡 -> 社会保障 / 卡, 公租房 -> 公 /
 * 租房). Editable data: a word here is kept whole in entries and queries alike.
 */
export const HOTLINE_WORDS: readonly string[] = [
  '社会保障卡', '社保卡', '医保卡', '公租房', '廉租房', '公交卡', '接种点', '网约车', '一网通办', '积分入学',
  '不动产权证', '灵活就业', '失业金', '异地就医', '出生医学证明', '居住证', '电动自行车', '上户口',
  '户口本', '低保', '个税', '汇算清缴', '营业执照', '工伤认定', '生育津贴', '高龄补贴', '拖欠工资', '占道经营',
];

/** Full-width forms to ASCII (ＡＢＣ１２３ -> ABC123), compatibility characters folded, lower case. */
export const normalize = (text: string): string => text.normalize('NFKC').toLowerCase();

// Particles and pronouns that carry no meaning for a search. Question words (怎么, 如何, 哪里) stay:
// they are in the synonym table and their low IDF keeps them from mattering much.
const STOP_WORDS = new Set(
  '的 了 吗 呢 啊 吧 呀 嘛 么 哦 请问 一下 我 我们 你 你们 您 他 她 它 是 在 和 与 及 或 都 也 就 还 要 想 把 被 给 这 那 这个 那个 个 些 有 能 会 该 得 地 着 过 不'.split(' '),
);

const HAS_WORD_CHAR = /[\p{L}\p{N}]/u;

/** Tokens worth indexing: with a letter or digit, not a stop word. */
export const contentTokens = (tokens: readonly string[]): string[] => tokens.filter((w) => HAS_WORD_CHAR.test(w) && !STOP_WORDS.has(w) && w.trim() === w);

export function createJiebaSegmenter(words: readonly string[] = HOTLINE_WORDS): Segmenter {
  const jieba = Jieba.withDict(dict);
  // A high frequency makes the word win over its parts in jieba's dynamic programming.
  if (words.length) jieba.loadDict(Buffer.from(words.map((w) => `${w} 100000 n`).join('\n')));
  return {
    name: '@node-rs/jieba',
    forIndex: (text) => jieba.cutForSearch(text, true),
    forQuery: (text) => jieba.cut(text, true),
  };
}

export function createIcuSegmenter(): Segmenter {
  const icu = new Intl.Segmenter('zh-CN', { granularity: 'word' });
  const cut = (text: string): string[] => Array.from(icu.segment(text), (s) => s.segment);
  return { name: 'Intl.Segmenter', forIndex: cut, forQuery: cut };
}
