/**
 * Seeded pseudo-random numbers (sfc32) so a seed always yields the same dataset.
 *
 * @module
 */

/** A deterministic random source. */
export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /**
   * @param seed any integer or string; equal seeds give equal sequences
   */
  constructor(seed: number | string) {
    let h = 1779033703 ^ String(seed).length;
    const text = String(seed);
    for (let i = 0; i < text.length; i++) {
      h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
      h = (h << 13) | (h >>> 19);
    }
    const next = () => {
      h = Math.imul(h ^ (h >>> 16), 2246822507);
      h = Math.imul(h ^ (h >>> 13), 3266489909);
      return (h ^= h >>> 16) >>> 0;
    };
    this.#a = next();
    this.#b = next();
    this.#c = next();
    this.#d = next();
    for (let i = 0; i < 15; i++) this.uint32();
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  uint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /**
   * An integer in [min, max].
   *
   * @param min lower bound (inclusive)
   * @param max upper bound (inclusive)
   * @returns the integer
   */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /**
   * True with probability p.
   *
   * @param p probability in [0, 1]
   * @returns the outcome
   */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /**
   * A random element.
   *
   * @param items a non-empty list
   * @returns one element
   */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /**
   * An element chosen by weight.
   *
   * @param entries [value, weight] pairs
   * @returns one value
   */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((s, e) => s + e[1], 0);
    let r = this.next() * total;
    for (const [v, w] of entries) {
      r -= w;
      if (r < 0) return v;
    }
    return entries[entries.length - 1]![0];
  }

  /** A random 32-character lowercase hex sys_id. */
  sysId(): string {
    let s = "";
    for (let i = 0; i < 4; i++) s += this.uint32().toString(16).padStart(8, "0");
    return s;
  }

  /**
   * k distinct elements (or all when k >= length).
   *
   * @param items the pool
   * @param k how many
   * @returns a new array
   */
  sample<T>(items: readonly T[], k: number): T[] {
    if (k >= items.length) return [...items];
    const picked = new Set<number>();
    const out: T[] = [];
    while (out.length < k) {
      const i = Math.floor(this.next() * items.length);
      if (picked.has(i)) continue;
      picked.add(i);
      out.push(items[i]!);
    }
    return out;
  }
}
