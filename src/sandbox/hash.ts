// Deterministic randomness for the sandbox's data. Every value is derived from a hash of where it
// lives (seed, environment, day, index), never from a running generator, so any row can be
// rebuilt on its own: that is what lets a deep page generate only the rows it returns.

/** murmur3's finaliser: a cheap bijection on 32-bit integers with good avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hash2(a: number, b: number): number {
  return fmix32(Math.imul(a ^ 0x27d4eb2f, 0x165667b1) ^ fmix32(b + 0x9e3779b9));
}

export function hash3(a: number, b: number, c: number): number {
  return hash2(hash2(a, b), c);
}

/** FNV-1a over UTF-16 code units: for seeding from strings (query shapes, names). */
export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** A uniform float in [0, 1) from a 32-bit hash. */
export function unit(h: number): number {
  return (h >>> 0) / 4294967296;
}

/**
 * mulberry32: small and fast. Used for the handful of draws one record needs, seeded from the
 * record's own hash so records never depend on each other.
 */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed | 0;
  }

  /** Restart from a new seed: one scratch generator can serve many records without allocating. */
  reseed(seed: number): this {
    this.state = seed | 0;
    return this;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  }

  float(): number {
    return this.next() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** Index drawn from a cumulative distribution (last entry 1). */
  weighted(cdf: Float64Array | readonly number[]): number {
    const u = this.float();
    for (let i = 0; i < cdf.length; i++) if (u < (cdf[i] as number)) return i;
    return cdf.length - 1;
  }
}

/** Cumulative distribution from weights, for Rng.weighted. */
export function cdfOf(weights: readonly number[]): Float64Array {
  const total = weights.reduce((a, b) => a + b, 0);
  const out = new Float64Array(weights.length);
  let acc = 0;
  weights.forEach((w, i) => {
    acc += w / total;
    out[i] = acc;
  });
  out[weights.length - 1] = 1;
  return out;
}

/** Fisher-Yates in place, driven by its own seed: the tie-order shuffles. */
export function shuffle<T>(items: T[], seed: number): void {
  const rng = new Rng(seed);
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
}
