// Mixpanel's raw export allows 60 requests per rolling hour per project (the docs' 3/s and 100
// concurrent are not emulated: one client reading day by day never gets near them). Counted on
// the real clock, not the sandbox's --now, which may stand still.

export class RollingLimit {
  private readonly taken = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Counts the request and returns undefined, or returns the seconds until one is allowed. */
  take(key: string): number | undefined {
    const now = this.clock();
    const times = (this.taken.get(key) ?? []).filter((t) => t > now - this.windowMs);
    this.taken.set(key, times);
    if (times.length >= this.limit) return Math.max(1, Math.ceil(((times[0] as number) + this.windowMs - now) / 1000));
    times.push(now);
    return undefined;
  }
}
