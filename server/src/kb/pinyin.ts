// Pinyin initials for quick typing: "gjj" finds 公积金, "shbzk" 社会保障卡, "zfgjjtq" 住房公积金提取.
// pinyin-pro reads polyphones in context (银行 yh, 重庆 cq, 行政 xz, 朝阳 cy; the `pinyin` package
// without a segmenter gets those wrong: see README.md), so each word's initials are taken from the
// word as jieba cut it.
//
// An entry's question gives initials terms for every run of 1 to 3 consecutive Chinese words and for
// the whole question; a query of Latin letters is looked up among them, exactly and as a prefix.
import { pinyin } from 'pinyin-pro';

/** Prefix that keeps initials terms apart from words in the one term dictionary. */
export const PINYIN_PREFIX = '\u0001py:';

const HAN = /^\p{Script=Han}+$/u;
const MAX_RUN = 3;

/** Initials of a run of Chinese characters ('公积金' -> 'gjj'). */
export const initialsOf = (word: string): string => pinyin(word, { pattern: 'first', toneType: 'none', type: 'array' }).join('').toLowerCase();

/**
 * initialsOf with a memo: an index meets the same few thousand words over and over, and pinyin-pro
 * takes ~15 µs a call. The memo is dropped whole past `max` words, which a hotline's vocabulary
 * does not reach.
 */
export function memoInitials(max = 100_000): (word: string) => string {
  const memo = new Map<string, string>();
  return (word) => {
    let v = memo.get(word);
    if (v === undefined) {
      if (memo.size >= max) memo.clear();
      memo.set(word, (v = initialsOf(word)));
    }
    return v;
  };
}

/** The initials terms of a question already cut into words (precise mode). */
export function initialsTerms(words: readonly string[], initials: (word: string) => string = initialsOf): string[] {
  const out = new Set<string>();
  const han = words.filter((w) => HAN.test(w)).map(initials);
  for (let i = 0; i < han.length; i++) {
    let run = '';
    for (let j = i; j < Math.min(han.length, i + MAX_RUN); j++) {
      run += han[j];
      out.add(PINYIN_PREFIX + run);
    }
  }
  if (han.length > MAX_RUN) out.add(PINYIN_PREFIX + han.join(''));
  return [...out];
}

/** Does a query token look like typed initials? */
export const looksLikeInitials = (token: string): boolean => /^[a-z]{2,16}$/.test(token);
