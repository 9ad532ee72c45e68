// The knowledge base's in-memory search index: entries by id, an inverted index over their
// question, tags (with category, department and region) and answer, and pinyin initials of the
// question; BM25F ranking; visibility by Beijing day; add, update and remove one entry at a time.
//
// Public API (no I/O, no clock: `now` is an argument):
//   const kb = new KnowledgeBase({ segmenter: createJiebaSegmenter(), synonyms?: DEFAULT_SYNONYMS })
//   kb.upsert(raw) -> 'added' | 'updated'        validates (KbInputError), re-indexes that entry only
//   kb.remove(id) -> boolean;  kb.get(id);  kb.size;  kb.entries()
//   kb.setSynonyms(table)                        effective from the next search, no re-indexing
//   kb.search(query, { now, limit?, category?, region? }) -> { hits, total, groups }
//                                                (query cut at MAX_QUERY_CHARS)
//   kb.stats() -> { entries, terms, postings }
//
// Ranking: BM25F (Robertson & Zaragoza, "The probabilistic relevance framework: BM25 and beyond",
// 2009, §3.6): per entry, a term's frequencies in the fields are length-normalised per field,
// weighted (question 3, tags 2, answer 1, initials 3) and summed, then saturated once with k1 = 1.2:
//     score(t) = idf(t) · tf' (k1 + 1) / (k1 + tf'),   tf' = Σ_f w_f · tf_f / (1 - b_f + b_f · len_f / avglen_f)
//     (b: question 0.75, tags 0.5, answer 0.3, initials 0.5)
//     idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5))   (Lucene's form: never negative)
// A query word stands for its synonyms too (and, if typed in Latin letters, for pinyin initials):
// the word scores as the best of its alternatives, a synonym at 0.9 and an initials prefix at 0.7 of
// an exact match, so an entry that uses both spellings is not counted twice. An entry's score is
// then multiplied by the share of query words it matched (Lucene's classic coord factor), so that
// "社保卡丢了" prefers the entry about a lost card over a long one that says 社保卡 many times.
import { beijingDayNumber, CITY_WIDE_REGIONS, dayNumberOf, parseEntry, type KbEntry } from './entry.ts';
import { initialsTerms, looksLikeInitials, memoInitials, PINYIN_PREFIX } from './pinyin.ts';
import { FIELDS, grow, packTf, PostingList, type Field } from './postings.ts';
import { DEFAULT_SYNONYMS, Synonyms, type SynonymTable } from './synonyms.ts';
import { contentTokens, normalize, type Segmenter } from './text.ts';
import { TopK, type SearchHit } from './top-k.ts';

export type { SearchHit } from './top-k.ts';

export interface KnowledgeBaseOptions {
  readonly segmenter: Segmenter;
  readonly synonyms?: SynonymTable;
  /** BM25F field weights (default question 3, tags 2, answer 1, pinyin 3). */
  readonly fieldWeights?: Partial<Record<Field, number>>;
}

export interface SearchOptions {
  /** The instant to judge visibility at (epoch ms); its Beijing day decides. */
  readonly now: number;
  /** Hits to return, 1..100 (default 10). */
  readonly limit?: number;
  readonly category?: string;
  /** Only entries of this region or city-wide ones. */
  readonly region?: string;
}

export interface SearchResult {
  readonly hits: readonly SearchHit[];
  /** Visible entries that matched (hits is the best `limit` of them). */
  readonly total: number;
  /** The query as searched: one group of alternatives per query word (for display and tests). */
  readonly groups: readonly (readonly string[])[];
}

const K1 = 1.2;
const DEFAULT_WEIGHTS: Record<Field, number> = { question: 3, tags: 2, answer: 1, pinyin: 3 };
// Length normalisation per field. Answers get a light one (0.3): an answer's length follows its
// kind (a list of conditions is long, a fee rule one line), not a drift of topic, and b = 0.75 put
// the one-line answers of every service first for any query naming the service.
const B = [0.75, 0.5, 0.3, 0.5];
const SYNONYM_WEIGHT = 0.9;
const PREFIX_WEIGHT = 0.7;
const MAX_PREFIX_TERMS = 30;
const NO_END = 2 ** 31 - 1;
/** Longer queries are cut here: a caller's question fits, a pasted document does not need to. */
export const MAX_QUERY_CHARS = 200;

interface Analysed {
  readonly tf: Map<string, number[]>;
  readonly len: number[];
}

export class KnowledgeBase {
  readonly #seg: Segmenter;
  readonly #initials = memoInitials();
  readonly #weights: number[];
  #synonyms: Synonyms;

  readonly #slotOf = new Map<string, number>();
  readonly #entries: (KbEntry | undefined)[] = [];
  readonly #slotTerms: (Int32Array | undefined)[] = [];
  readonly #free: number[] = [];
  #live = 0;

  readonly #termIds = new Map<string, number>();
  readonly #termNames: string[] = [];
  readonly #postings: PostingList[] = [];
  #initialsSorted: string[] | null = null;

  // Per slot: field lengths, visibility (day numbers; published flag), scratch for scoring.
  #len = FIELDS.map(() => new Float32Array(0));
  readonly #lenSum = FIELDS.map(() => 0);
  // Per slot and field, w_f / (1 - b_f + b_f · len_f / avglen_f): BM25F's length normalisation,
  // recomputed on the first search after a change (the averages move with every entry).
  #norm = FIELDS.map(() => new Float32Array(0));
  #normStale = true;
  #from = new Int32Array(0);
  #to = new Int32Array(0);
  #published = new Uint8Array(0);
  // Category and region as small ids, so that filters compare numbers (-1: none).
  readonly #categoryIds = new Map<string, number>();
  readonly #regionIds = new Map<string, number>();
  #category = new Int32Array(0);
  #region = new Int32Array(0);
  #cityWide = new Uint8Array(0);
  // Scratch of one search, reused (a generic query touches half the entries: no garbage per search).
  #acc = new Float64Array(0);
  #groupAcc = new Float64Array(0);
  #matched = new Uint16Array(0);
  #touched = new Int32Array(0);
  #groupTouched = new Int32Array(0);

  constructor(opts: KnowledgeBaseOptions) {
    this.#seg = opts.segmenter;
    this.#weights = FIELDS.map((f) => opts.fieldWeights?.[f] ?? DEFAULT_WEIGHTS[f]);
    this.#synonyms = new Synonyms(opts.synonyms ?? DEFAULT_SYNONYMS, normalize);
  }

  get size(): number {
    return this.#live;
  }

  get(id: string): KbEntry | undefined {
    const slot = this.#slotOf.get(id);
    return slot === undefined ? undefined : this.#entries[slot];
  }

  *entries(): IterableIterator<KbEntry> {
    for (const e of this.#entries) if (e) yield e;
  }

  setSynonyms(table: SynonymTable): void {
    this.#synonyms = new Synonyms(table, normalize);
  }

  stats(): { entries: number; terms: number; postings: number } {
    return { entries: this.#live, terms: this.#termIds.size, postings: this.#postings.reduce((s, p) => s + p.length, 0) };
  }

  /** Add an entry or replace the one with its id. Throws KbInputError on an invalid entry. */
  upsert(raw: unknown): 'added' | 'updated' {
    const entry = parseEntry(raw);
    const old = this.#slotOf.get(entry.id);
    if (old !== undefined) this.#unindex(old);
    this.#index(entry);
    return old === undefined ? 'added' : 'updated';
  }

  remove(id: string): boolean {
    const slot = this.#slotOf.get(id);
    if (slot === undefined) return false;
    this.#unindex(slot);
    return true;
  }

  #analyse(e: KbEntry): Analysed {
    const tf = new Map<string, number[]>();
    const len = FIELDS.map(() => 0);
    const add = (field: number, terms: readonly string[]): void => {
      for (const t of terms) {
        let counts = tf.get(t);
        if (!counts) tf.set(t, (counts = FIELDS.map(() => 0)));
        counts[field]!++;
      }
      len[field]! += terms.length;
    };
    const question = normalize(e.question);
    add(0, contentTokens(this.#seg.forIndex(question)));
    add(1, contentTokens(this.#seg.forIndex(normalize([...e.tags, e.category, e.department, e.region].join(' ')))));
    add(2, contentTokens(this.#seg.forIndex(normalize(e.answer))));
    add(3, initialsTerms(contentTokens(this.#seg.forQuery(question)), this.#initials));
    return { tf, len };
  }

  #index(entry: KbEntry): void {
    const { tf, len } = this.#analyse(entry);
    const slot = this.#free.pop() ?? this.#entries.length;
    this.#ensureSlots(slot + 1);
    this.#entries[slot] = entry;
    this.#slotOf.set(entry.id, slot);
    this.#live++;
    len.forEach((l, f) => {
      this.#len[f]![slot] = l;
      this.#lenSum[f]! += l;
    });
    this.#published[slot] = entry.status === 'published' && entry.validFrom !== null ? 1 : 0;
    this.#from[slot] = entry.validFrom === null ? NO_END : dayNumberOf(entry.validFrom);
    this.#to[slot] = entry.validTo === null ? NO_END : dayNumberOf(entry.validTo);
    this.#category[slot] = internId(this.#categoryIds, entry.category);
    this.#region[slot] = internId(this.#regionIds, entry.region);
    this.#cityWide[slot] = CITY_WIDE_REGIONS.includes(entry.region) ? 1 : 0;
    const ids = new Int32Array(tf.size);
    let i = 0;
    for (const [term, counts] of tf) {
      let id = this.#termIds.get(term);
      if (id === undefined) {
        id = this.#postings.length;
        this.#termIds.set(term, id);
        this.#termNames.push(term);
        this.#postings.push(new PostingList());
        if (term.startsWith(PINYIN_PREFIX)) this.#initialsSorted = null;
      }
      this.#postings[id]!.push(slot, packTf(counts));
      ids[i++] = id;
    }
    this.#slotTerms[slot] = ids;
    this.#normStale = true;
  }

  #unindex(slot: number): void {
    for (const id of this.#slotTerms[slot]!) this.#postings[id]!.remove(slot);
    for (let f = 0; f < FIELDS.length; f++) this.#lenSum[f]! -= this.#len[f]![slot]!;
    this.#slotOf.delete(this.#entries[slot]!.id);
    this.#entries[slot] = undefined;
    this.#slotTerms[slot] = undefined;
    this.#published[slot] = 0;
    this.#free.push(slot);
    this.#live--;
    this.#normStale = true;
  }

  #ensureSlots(n: number): void {
    this.#len = this.#len.map((a) => grow(a, n, (k) => new Float32Array(k)));
    this.#norm = this.#norm.map((a) => grow(a, n, (k) => new Float32Array(k)));
    this.#from = grow(this.#from, n, (k) => new Int32Array(k));
    this.#to = grow(this.#to, n, (k) => new Int32Array(k));
    this.#published = grow(this.#published, n, (k) => new Uint8Array(k));
    this.#acc = grow(this.#acc, n, (k) => new Float64Array(k));
    this.#groupAcc = grow(this.#groupAcc, n, (k) => new Float64Array(k));
    this.#matched = grow(this.#matched, n, (k) => new Uint16Array(k));
    this.#touched = grow(this.#touched, n, (k) => new Int32Array(k));
    this.#groupTouched = grow(this.#groupTouched, n, (k) => new Int32Array(k));
    this.#category = grow(this.#category, n, (k) => new Int32Array(k));
    this.#region = grow(this.#region, n, (k) => new Int32Array(k));
    this.#cityWide = grow(this.#cityWide, n, (k) => new Uint8Array(k));
  }

  /** Term id -> weight for one query word: the word, its synonyms, and initials if it is Latin letters. */
  #alternatives(word: string): Map<number, number> {
    const alts = new Map<number, number>();
    const add = (term: string, w: number): void => {
      const id = this.#termIds.get(term);
      if (id !== undefined && this.#postings[id]!.length > 0 && (alts.get(id) ?? 0) < w) alts.set(id, w);
    };
    this.#synonyms.alternatives(word).forEach((alt, i) => add(alt, i === 0 ? 1 : SYNONYM_WEIGHT));
    if (looksLikeInitials(word)) {
      add(PINYIN_PREFIX + word, 1);
      for (const term of this.#initialsWithPrefix(PINYIN_PREFIX + word)) add(term, PREFIX_WEIGHT);
    }
    return alts;
  }

  #queryGroups(query: string): Map<number, number>[] {
    const groups: Map<number, number>[] = [];
    const seen = new Set<string>();
    const visit = (word: string, split: boolean): void => {
      if (seen.has(word)) return;
      seen.add(word);
      const alts = this.#alternatives(word);
      if (alts.size > 0) groups.push(alts);
      // A word no entry contains (a compound the entries spell otherwise, 太吵): search its parts,
      // the words inside it or else its characters.
      else if (split && [...word].length >= 2) {
        const parts = contentTokens(this.#seg.forIndex(word)).filter((p) => p !== word);
        // Single characters are too common to search on, unless the synonym table knows them (吵).
        for (const part of parts.length ? parts : [...word].filter((c) => this.#synonyms.alternatives(c).length > 1)) visit(part, false);
      }
    };
    for (const word of contentTokens(this.#seg.forQuery(normalize(query.slice(0, MAX_QUERY_CHARS))))) visit(word, true);
    return groups;
  }

  #initialsWithPrefix(prefix: string): string[] {
    this.#initialsSorted ??= [...this.#termIds.keys()].filter((t) => t.startsWith(PINYIN_PREFIX)).sort();
    const terms = this.#initialsSorted;
    let lo = 0;
    let hi = terms.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (terms[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < terms.length && out.length < MAX_PREFIX_TERMS && terms[i]!.startsWith(prefix); i++) {
      // Terms whose entries were all removed stay in the dictionary; they must not take a place.
      if (terms[i] !== prefix && this.#postings[this.#termIds.get(terms[i]!)!]!.length > 0) out.push(terms[i]!);
    }
    return out;
  }

  search(query: string, opts: SearchOptions): SearchResult {
    if (!Number.isFinite(opts.now)) throw new RangeError('search needs `now` (epoch ms)');
    const limit = Math.min(100, Math.max(1, Math.floor(opts.limit ?? 10)));
    const groups = this.#queryGroups(query);
    const display = groups.map((g) => [...g.keys()].map((id) => this.#termName(id)));
    if (groups.length === 0 || this.#live === 0) return { hits: [], total: 0, groups: display };

    const count = this.#score(groups);
    const day = beijingDayNumber(opts.now);
    // A filter naming a category or region no entry has matches nothing (id -2 never equals one).
    const category = opts.category === undefined ? -1 : (this.#categoryIds.get(opts.category) ?? -2);
    const region = opts.region === undefined ? -1 : (this.#regionIds.get(opts.region) ?? -2);
    const acc = this.#acc;
    const matched = this.#matched;
    const touched = this.#touched;
    const top = new TopK(limit);
    let total = 0;
    for (let i = 0; i < count; i++) {
      const slot = touched[i]!;
      const score = (acc[slot]! * matched[slot]!) / groups.length;
      acc[slot] = 0;
      matched[slot] = 0;
      if (!this.#published[slot] || this.#from[slot]! > day || this.#to[slot]! < day) continue;
      if (category !== -1 && this.#category[slot] !== category) continue;
      if (region !== -1 && this.#region[slot] !== region && !this.#cityWide[slot]) continue;
      total++;
      if (top.accepts(score)) top.offer(this.#entries[slot]!, score);
    }
    return { hits: top.sorted(), total, groups: display };
  }

  #refreshNorms(): void {
    const n = this.#live;
    for (let f = 0; f < FIELDS.length; f++) {
      const avg = Math.max(this.#lenSum[f]! / n, 1e-9);
      const len = this.#len[f]!;
      const norm = this.#norm[f]!;
      const w = this.#weights[f]!;
      const b = B[f]!;
      for (let slot = 0; slot < this.#entries.length; slot++) norm[slot] = w / (1 - b + (b * len[slot]!) / avg);
    }
    this.#normStale = false;
  }

  /** Accumulate BM25F scores into #acc / #matched; the slots touched go to #touched, their count returned. */
  #score(groups: readonly Map<number, number>[]): number {
    const n = this.#live;
    if (this.#normStale) this.#refreshNorms();
    const [normQ, normT, normA, normP] = this.#norm as [Float32Array, Float32Array, Float32Array, Float32Array];
    const acc = this.#acc;
    const groupAcc = this.#groupAcc;
    const matched = this.#matched;
    const touched = this.#touched;
    const groupTouched = this.#groupTouched;
    let count = 0;
    for (const alts of groups) {
      let groupCount = 0;
      for (const [id, weight] of alts) {
        const p = this.#postings[id]!;
        const { slots, tfs, length } = p;
        const idf = weight * Math.log(1 + (n - length + 0.5) / (length + 0.5));
        for (let i = 0; i < length; i++) {
          const slot = slots[i]!;
          const packed = tfs[i]!;
          // Unpacked inline (postings.ts: question 8 bits, tags 6, answer 12, pinyin 6): the hot loop.
          const tf = (packed & 0xff) * normQ[slot]! + ((packed >>> 8) & 0x3f) * normT[slot]! + ((packed >>> 14) & 0xfff) * normA[slot]! + (packed >>> 26) * normP[slot]!;
          const s = (idf * tf * (K1 + 1)) / (K1 + tf);
          if (s > groupAcc[slot]!) {
            if (groupAcc[slot] === 0) groupTouched[groupCount++] = slot;
            groupAcc[slot] = s;
          }
        }
      }
      for (let i = 0; i < groupCount; i++) {
        const slot = groupTouched[i]!;
        if (acc[slot] === 0) touched[count++] = slot;
        acc[slot]! += groupAcc[slot]!;
        matched[slot]!++;
        groupAcc[slot] = 0;
      }
    }
    return count;
  }

  #termName(id: number): string {
    const term = this.#termNames[id]!;
    return term.startsWith(PINYIN_PREFIX) ? `pinyin:${term.slice(PINYIN_PREFIX.length)}` : term;
  }
}

/** The id of `value` in `ids`, a new one the first time. */
function internId(ids: Map<string, number>, value: string): number {
  let id = ids.get(value);
  if (id === undefined) ids.set(value, (id = ids.size));
  return id;
}
