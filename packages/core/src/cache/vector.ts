/**
 * Embeddings as int8 vectors and their flat scan. A pooled embedding (L2-normalised float32) is stored as int8 with
 * one scale per vector (largest magnitude → 127), a quarter of its float size; the cosine of two vectors is then
 * the integer dot product times both scales (error well under 0.01 at 256 dimensions, see vector.test.ts). A
 * bucket is one contiguous array scanned linearly: cache lookups only compare prompts of one scope, decision,
 * model and conversation prefix, so buckets stay small in practice, and the scan of 100k entries is measured by
 * `bench/cache-lookup.bench.ts` (figures in the README).
 * @module
 */

/** An embedding quantised to int8 with its scale (cosine ≈ Σ aᵢbᵢ · scaleA · scaleB). */
export interface QuantizedVector {
  readonly q: Int8Array;
  readonly scale: number;
}

/** Quantises an embedding (any length; L2-normalised for cosine similarity). */
export function quantize(v: ArrayLike<number>): QuantizedVector {
  let max = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]!);
    if (a > max) max = a;
  }
  const q = new Int8Array(v.length);
  if (max === 0 || !Number.isFinite(max)) return { q, scale: 0 };
  const f = 127 / max;
  for (let i = 0; i < v.length; i++) q[i] = Math.round(v[i]! * f);
  return { q, scale: max / 127 };
}

/** Similarity of two quantised vectors of one length. */
export function similarity(a: QuantizedVector, b: QuantizedVector): number {
  let s = 0;
  for (let i = 0; i < a.q.length; i++) s += a.q[i]! * b.q[i]!;
  return s * a.scale * b.scale;
}

/** One search result: the slot's id and its similarity to the query. */
export interface ScanHit<Id> {
  readonly id: Id;
  readonly similarity: number;
}

/** Words of 4 packed int8 values per vector of `dim` values. */
const wordsFor = (dim: number): number => (dim + 3) >> 2;

/** Packs int8 values four to an Int32 word (little-endian lanes, zero-padded), the layout {@link VectorBucket} scans. */
export function packInt8(q: Int8Array, out: Int32Array = new Int32Array(wordsFor(q.length)), at = 0): Int32Array {
  for (let k = 0; k < q.length; k++) {
    const w = at + (k >> 2);
    const shift = (k & 3) * 8;
    out[w] = (out[w]! & ~(0xff << shift)) | ((q[k]! & 0xff) << shift);
  }
  return out;
}

/**
 * The vectors of one bucket, packed: slot i holds its int8 values four to an Int32 word at `i·words`, its scale and
 * its id. The scan unpacks four lanes per word with shifts: a plain JS loop over Int8Array elements is about twice
 * as slow (one bounds-checked load per value instead of per four). Removal moves the last slot into the hole, so
 * the scan never skips holes.
 */
export class VectorBucket<Id> {
  readonly dim: number;
  readonly #words: number;
  #data: Int32Array;
  #scales: Float64Array;
  #ids: Id[] = [];
  #slot = new Map<Id, number>();

  constructor(dim: number, capacity = 16) {
    this.dim = dim;
    this.#words = wordsFor(dim);
    this.#data = new Int32Array(this.#words * capacity);
    this.#scales = new Float64Array(capacity);
  }

  /** Number of vectors held. */
  get size(): number {
    return this.#ids.length;
  }

  /** Whether a vector is held under `id`. */
  has(id: Id): boolean {
    return this.#slot.has(id);
  }

  /** The ids held, in slot order (not insertion order once something was removed); a live view, do not modify. */
  ids(): readonly Id[] {
    return this.#ids;
  }

  /** Adds (or replaces) the vector of `id`. Throws a RangeError when its length is not the bucket's `dim`. */
  add(id: Id, v: QuantizedVector): void {
    if (v.q.length !== this.dim) throw new RangeError(`vector of length ${v.q.length} in a bucket of dimension ${this.dim}`);
    if (this.#slot.has(id)) this.remove(id);
    const n = this.#ids.length;
    if (n === this.#scales.length) this.#grow(n * 2);
    this.#data.fill(0, n * this.#words, (n + 1) * this.#words);
    packInt8(v.q, this.#data, n * this.#words);
    this.#scales[n] = v.scale;
    this.#ids.push(id);
    this.#slot.set(id, n);
  }

  /** Removes the vector of `id` (the last slot moves into its place); false when there was none. */
  remove(id: Id): boolean {
    const i = this.#slot.get(id);
    if (i === undefined) return false;
    const last = this.#ids.length - 1;
    const w = this.#words;
    if (i !== last) {
      this.#data.copyWithin(i * w, last * w, (last + 1) * w);
      this.#scales[i] = this.#scales[last]!;
      const moved = this.#ids[last]!;
      this.#ids[i] = moved;
      this.#slot.set(moved, i);
    }
    this.#ids.pop();
    this.#slot.delete(id);
    if (this.#ids.length > 64 && this.#ids.length * 4 < this.#scales.length) this.#grow(this.#scales.length >> 1);
    return true;
  }

  /** The slots whose similarity to `query` is at least `threshold`, best first, at most `limit`. One linear pass. */
  search(query: QuantizedVector, threshold: number, limit: number): ScanHit<Id>[] {
    if (query.q.length !== this.dim) throw new RangeError(`query of length ${query.q.length} in a bucket of dimension ${this.dim}`);
    const words = this.#words;
    const q = packInt8(query.q);
    const data = this.#data;
    const scales = this.#scales;
    const n = this.#ids.length;
    const hits: { slot: number; similarity: number }[] = [];
    for (let i = 0, base = 0; i < n; i++, base += words) {
      let s = 0;
      for (let k = 0; k < words; k++) {
        const a = data[base + k]!;
        const b = q[k]!;
        // Four signed lanes: (x << 24) >> 24 sign-extends the low byte, and so on; sums stay far below 2^31.
        s = (s + ((a << 24) >> 24) * ((b << 24) >> 24) + ((a << 16) >> 24) * ((b << 16) >> 24) + ((a << 8) >> 24) * ((b << 8) >> 24) + (a >> 24) * (b >> 24)) | 0;
      }
      const sim = s * scales[i]! * query.scale;
      if (sim >= threshold) hits.push({ slot: i, similarity: sim });
    }
    hits.sort((a, b) => b.similarity - a.similarity);
    return hits.slice(0, limit).map((h) => ({ id: this.#ids[h.slot]!, similarity: h.similarity }));
  }

  #grow(capacity: number): void {
    const data = new Int32Array(this.#words * capacity);
    data.set(this.#data.subarray(0, Math.min(this.#data.length, data.length)));
    const scales = new Float64Array(capacity);
    scales.set(this.#scales.subarray(0, Math.min(this.#scales.length, capacity)));
    this.#data = data;
    this.#scales = scales;
  }
}
