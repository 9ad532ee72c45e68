// The best k search hits without sorting them all: a binary min-heap of size k, the worst on top.
import type { KbEntry } from './entry.ts';

export interface SearchHit {
  readonly entry: KbEntry;
  readonly score: number;
}

/** The best k (score, then id for a stable order) by a binary min-heap. */
export class TopK {
  readonly #heap: SearchHit[] = [];
  constructor(readonly k: number) {}

  static #worse(a: SearchHit, b: SearchHit): boolean {
    return a.score < b.score || (a.score === b.score && a.entry.id > b.entry.id);
  }

  /** Could a hit with this score enter? (false: skip fetching its entry) */
  accepts(score: number): boolean {
    return this.#heap.length < this.k || score >= this.#heap[0]!.score;
  }

  offer(entry: KbEntry, score: number): void {
    const h = this.#heap;
    const hit = { entry, score };
    if (h.length < this.k) {
      h.push(hit);
      for (let i = h.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!TopK.#worse(h[i]!, h[parent]!)) break;
        [h[i], h[parent]] = [h[parent]!, h[i]!];
        i = parent;
      }
    } else if (TopK.#worse(h[0]!, hit)) {
      h[0] = hit;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && TopK.#worse(h[l]!, h[m]!)) m = l;
        if (r < h.length && TopK.#worse(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
  }

  sorted(): SearchHit[] {
    return [...this.#heap].sort((a, b) => (TopK.#worse(a, b) ? 1 : -1));
  }
}
