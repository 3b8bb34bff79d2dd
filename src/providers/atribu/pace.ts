// Atribu allows 60 units a minute per key and every customers/journey call costs 3. Rather than
// run into 429s and wait out Retry-After, the exporter keeps its own account: the server's last
// X-RateLimit-Remaining, less the calls sent since, plus the units of our own calls that have
// since left the minute. When that would not cover a call, it waits for our oldest call in the
// window to age out. Units we spent come back at most a minute after the server saw them under
// a fixed window, a sliding window or a token bucket alike, so the wait is never too short for
// any of them. A 429 can still happen (someone else using the key); the client then honours
// Retry-After.

export const ATRIBU_WINDOW_MS = 60_000;
export const ATRIBU_CALL_COST = 3;
/** Slack for clock granularity between our timestamps and the server's. */
const MARGIN_MS = 250;

export interface PacerOptions {
  cost?: number;
  windowMs?: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Told about each wait long enough for a person to wonder (over a second). */
  onWait?: (ms: number, remaining: number, limit: number | undefined) => void;
}

/** A call's slot: settle it with the response headers (or none, when the call failed). */
export interface PacerTicket {
  settle(headers?: Record<string, string>): void;
}

interface Report {
  remaining: number;
  limit: number | undefined;
  at: number;
}

export class RatePacer {
  private readonly cost: number;
  private readonly windowMs: number;
  /** When each of our answered calls came back: the server saw them no later than that. */
  private spent: number[] = [];
  private pending = 0;
  private report: Report | undefined;
  /** Calls take their turn one after another, so two waiters never spend the same units. */
  private queue: Promise<void> = Promise.resolve();
  /** Woken when a call in flight settles: its answer says more than any timer. */
  private onSettle: (() => void)[] = [];

  constructor(private readonly opts: PacerOptions) {
    this.cost = opts.cost ?? ATRIBU_CALL_COST;
    this.windowMs = opts.windowMs ?? ATRIBU_WINDOW_MS;
  }

  /** Resolves when a call may go out without exceeding the limit as far as we know it. */
  take(): Promise<PacerTicket> {
    const turn = this.queue.then(async () => {
      await this.waitForUnits();
      // Counted before the next caller's turn starts, so it sees this call as spent.
      this.pending++;
    });
    this.queue = turn.catch(() => undefined);
    return turn.then(() => {
      let settled = false;
      return {
        settle: (headers) => {
          if (settled) return;
          settled = true;
          this.pending--;
          this.settle(headers);
          const wake = this.onSettle;
          this.onSettle = [];
          for (const w of wake) w();
        },
      };
    });
  }

  /** Units we believe are left now, or undefined before the server has said anything. */
  available(now: number): number | undefined {
    const r = this.report;
    if (!r) return undefined;
    this.spent = this.spent.filter((t) => t + this.windowMs > r.at);
    const returned = this.spent.filter((t) => t + this.windowMs + MARGIN_MS <= now).length;
    return r.remaining - this.pending * this.cost + returned * this.cost;
  }

  private async waitForUnits(): Promise<void> {
    for (;;) {
      const now = this.opts.now();
      const left = this.available(now);
      if (left === undefined || left >= this.cost) return;
      if (this.pending > 0) {
        await new Promise<void>((resolve) => this.onSettle.push(resolve));
        continue;
      }
      const r = this.report!;
      // The report's own call is always among ours, so there is an oldest one to wait for.
      const oldest = this.spent.find((t) => t + this.windowMs + MARGIN_MS > now) ?? r.at;
      const wait = Math.max(1, oldest + this.windowMs + MARGIN_MS - now);
      if (wait > 1000) this.opts.onWait?.(wait, Math.max(0, left), r.limit);
      await this.opts.sleep(wait);
    }
  }

  private settle(headers: Record<string, string> | undefined): void {
    const now = this.opts.now();
    const remaining = headers ? parseCount(headers['x-ratelimit-remaining']) : undefined;
    if (remaining === undefined) return;
    this.spent.push(now);
    this.report = { remaining, limit: parseCount(headers?.['x-ratelimit-limit']), at: now };
  }
}

function parseCount(v: string | undefined): number | undefined {
  if (v === undefined || !/^\s*\d+\s*$/.test(v)) return undefined;
  return Number(v);
}
