// The inverted index's storage: per term, a list of (entry slot, term frequency in each field) in
// two growable typed arrays. At 30,000 entries that is a few million postings; typed arrays hold
// them in ~8 bytes each where a Map per term would take ~10 times that and load the GC.
// Removal swaps the last posting into the hole (order carries no meaning), so an update never
// leaves dead postings behind and a slot can be reused at once.

/** The fields of an entry, in the order of their frequencies in a packed posting. */
export const FIELDS = ['question', 'tags', 'answer', 'pinyin'] as const;
export type Field = (typeof FIELDS)[number];

// Bits per field in the packed Uint32: question 8, tags 6, answer 12, pinyin 6. Counts saturate at
// the field's maximum, far beyond where BM25's tf saturation stops caring.
const SHIFT = [0, 8, 14, 26] as const;
const MAX = [0xff, 0x3f, 0xfff, 0x3f] as const;

export function packTf(tf: readonly number[]): number {
  let packed = 0;
  for (let f = 0; f < 4; f++) packed += Math.min(tf[f] ?? 0, MAX[f]!) * 2 ** SHIFT[f]!;
  return packed;
}

export class PostingList {
  slots: Int32Array;
  tfs: Uint32Array;
  length = 0;

  constructor(capacity = 4) {
    this.slots = new Int32Array(capacity);
    this.tfs = new Uint32Array(capacity);
  }

  push(slot: number, packedTf: number): void {
    if (this.length === this.slots.length) {
      const slots = new Int32Array(this.length * 2);
      slots.set(this.slots);
      const tfs = new Uint32Array(this.length * 2);
      tfs.set(this.tfs);
      this.slots = slots;
      this.tfs = tfs;
    }
    this.slots[this.length] = slot;
    this.tfs[this.length] = packedTf;
    this.length++;
  }

  /** Remove the posting of `slot`; false when it has none. */
  remove(slot: number): boolean {
    const i = this.slots.subarray(0, this.length).indexOf(slot);
    if (i < 0) return false;
    const last = --this.length;
    this.slots[i] = this.slots[last]!;
    this.tfs[i] = this.tfs[last]!;
    return true;
  }
}

/** A Float64Array-like per-slot table that grows with the slot count. */
export function grow<T extends Float64Array | Float32Array | Int32Array | Uint8Array | Uint16Array>(a: T, need: number, make: (n: number) => T): T {
  if (need <= a.length) return a;
  const b = make(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}
