// Atribu's per-key budget: 60 units in any 60 seconds, each customers/journey call costing 3.
// Kept as a sliding log of what each key spent, so the units of a call come back exactly a minute
// after it: the strictest reading of "60 units/min", and the one a client pacing on its own
// calls must survive. It runs on the wall clock, not the sandbox's data clock (--now fixes that).

export const RATE_LIMIT_UNITS = 60;
export const RATE_WINDOW_MS = 60_000;

export interface Spend {
  ok: boolean;
  limit: number;
  /** Units left after this call (or, refused, right now). */
  remaining: number;
  /** Refused: whole seconds until enough units are back. */
  retryAfterSeconds?: number;
}

export class SlidingWindowLimiter {
  private readonly log = new Map<string, Array<{ at: number; cost: number }>>();

  constructor(
    private readonly enforce: boolean,
    private readonly now: () => number = Date.now,
    readonly limit = RATE_LIMIT_UNITS,
    private readonly windowMs = RATE_WINDOW_MS,
  ) {}

  spend(key: string, cost: number): Spend {
    // Off: every call passes and the headers say the whole budget is left, so a pacing client
    // never waits (fast tests and benchmarks).
    if (!this.enforce) return { ok: true, limit: this.limit, remaining: this.limit };
    const now = this.now();
    const entries = (this.log.get(key) ?? []).filter((e) => e.at + this.windowMs > now);
    this.log.set(key, entries);
    const used = entries.reduce((sum, e) => sum + e.cost, 0);
    if (used + cost > this.limit) {
      // The earliest moment enough of the logged units have left the window.
      let freed = 0;
      let at = now;
      for (const e of entries) {
        freed += e.cost;
        at = e.at + this.windowMs;
        if (used - freed + cost <= this.limit) break;
      }
      return { ok: false, limit: this.limit, remaining: this.limit - used, retryAfterSeconds: Math.max(1, Math.ceil((at - now) / 1000)) };
    }
    entries.push({ at: now, cost });
    return { ok: true, limit: this.limit, remaining: this.limit - used - cost };
  }
}
