// The providers' request budgets, as a sliding log of what each key spent: the units of a call
// come back exactly one window after it, the strictest reading of "N per minute/hour" and the
// one a client pacing itself must survive. Atribu: 60 units a minute, 3 a call; Mixpanel's
// export: 60 requests an hour; Sealmetrics: per user. It runs on the wall clock, not the
// sandbox's data clock (--now fixes that).

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

  /** `rule` overrides the budget for this key (Sealmetrics' users each have their own). */
  spend(key: string, cost = 1, rule: { limit: number; windowMs: number } = { limit: this.limit, windowMs: this.windowMs }): Spend {
    const { limit, windowMs } = rule;
    // Off: every call passes and the headers say the whole budget is left, so a pacing client
    // never waits (fast tests and benchmarks).
    if (!this.enforce) return { ok: true, limit, remaining: limit };
    const now = this.now();
    const entries = (this.log.get(key) ?? []).filter((e) => e.at + windowMs > now);
    this.log.set(key, entries);
    const used = entries.reduce((sum, e) => sum + e.cost, 0);
    if (used + cost > limit) {
      // The earliest moment enough of the logged units have left the window.
      let freed = 0;
      let at = now;
      for (const e of entries) {
        freed += e.cost;
        at = e.at + windowMs;
        if (used - freed + cost <= limit) break;
      }
      return { ok: false, limit, remaining: limit - used, retryAfterSeconds: Math.max(1, Math.ceil((at - now) / 1000)) };
    }
    entries.push({ at: now, cost });
    return { ok: true, limit, remaining: limit - used - cost };
  }
}
