import { describe, expect, it } from 'vitest';
import { RatePacer } from '../../../src/providers/atribu/pace.js';
import { SlidingWindowLimiter } from '../../../src/sandbox/rate-limit.js';

/** A pacer on a fake clock: sleeping moves the clock, nothing really waits. */
function setup() {
  const clock = { t: 1_000_000 };
  const sleeps: number[] = [];
  const waits: string[] = [];
  const pacer = new RatePacer({
    now: () => clock.t,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.t += ms;
    },
    onWait: (ms, left, limit) => waits.push(`${left}/${limit} ${ms}`),
  });
  return { clock, sleeps, waits, pacer };
}

const headers = (remaining: number) => ({ 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': String(remaining) });

describe('RatePacer', () => {
  it('goes at once while the server has said nothing, and while units are left', async () => {
    const t = setup();
    for (let remaining = 57; remaining >= 3; remaining -= 3) {
      const ticket = await t.pacer.take();
      ticket.settle(headers(remaining));
      t.clock.t += 100;
    }
    expect(t.sleeps).toEqual([]);
  });

  it('waits for its oldest call to leave the minute once the budget is spent, instead of sending', async () => {
    const t = setup();
    const start = t.clock.t;
    for (let remaining = 57; remaining >= 0; remaining -= 3) {
      (await t.pacer.take()).settle(headers(remaining));
      t.clock.t += 1000;
    }
    // 20 calls at 1 s apart; the first came back at `start`, so its 3 units return at start + 60 s.
    const before = t.clock.t;
    await t.pacer.take();
    expect(t.sleeps).toHaveLength(1);
    expect(t.clock.t).toBe(start + 60_000 + 250);
    expect(t.clock.t - before).toBe(40_250);
    expect(t.waits).toEqual(['0/60 40250']);
  });

  it('counts calls still in flight against what the server last reported', async () => {
    const t = setup();
    (await t.pacer.take()).settle(headers(6));
    const a = await t.pacer.take();
    const b = await t.pacer.take();
    // Two in flight spend the 6 units: a third must wait for one of them to answer.
    let third = false;
    const c = t.pacer.take().then(() => (third = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(third).toBe(false);
    a.settle(headers(3));
    await new Promise((r) => setTimeout(r, 5));
    // Now 3 reported, one (b) still in flight: still none to spare.
    expect(third).toBe(false);
    b.settle(headers(30));
    await c;
    expect(third).toBe(true);
    expect(t.sleeps).toEqual([]);
  });

  it('when someone else spends the key too, waits for the oldest call of its own to come back', async () => {
    const t = setup();
    const start = t.clock.t;
    (await t.pacer.take()).settle(headers(57));
    t.clock.t += 10_000;
    // Another client took 54 units in between: our second call finds the budget gone.
    (await t.pacer.take()).settle(headers(0));
    await t.pacer.take();
    expect(t.sleeps).toEqual([50_250]);
    expect(t.clock.t).toBe(start + 60_250);
  });

  it('ignores answers without rate-limit headers (a failed call, or --rate-limits off proxies)', async () => {
    const t = setup();
    for (let i = 0; i < 30; i++) (await t.pacer.take()).settle();
    expect(t.sleeps).toEqual([]);
  });

  it('keeps a client pacing on its own calls under the sandbox limiter: no call is ever refused', async () => {
    const t = setup();
    const server = new SlidingWindowLimiter(true, () => t.clock.t);
    let refused = 0;
    for (let i = 0; i < 70; i++) {
      const ticket = await t.pacer.take();
      t.clock.t += 120; // the request reaches the server
      const spend = server.spend('k', 3);
      if (!spend.ok) refused++;
      t.clock.t += 80; // and the answer comes back
      ticket.settle(headers(spend.remaining));
    }
    expect(refused).toBe(0);
    // 70 calls at 20 per minute: at least three full minutes of waiting.
    expect(t.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThan(3 * 55_000);
  });
});

describe('SlidingWindowLimiter (the sandbox side)', () => {
  it('allows 20 calls of 3 units, then refuses with the seconds until the oldest returns', () => {
    let now = 0;
    const limiter = new SlidingWindowLimiter(true, () => now);
    const remaining: number[] = [];
    for (let i = 0; i < 20; i++) {
      remaining.push(limiter.spend('k', 3).remaining);
      now += 500;
    }
    expect(remaining.slice(0, 3)).toEqual([57, 54, 51]);
    expect(remaining.at(-1)).toBe(0);
    expect(limiter.spend('k', 3)).toEqual({ ok: false, limit: 60, remaining: 0, retryAfterSeconds: 50 });
    expect(limiter.spend('other', 3).ok).toBe(true);
    now = 60_000;
    expect(limiter.spend('k', 3)).toEqual({ ok: true, limit: 60, remaining: 0 });
  });

  it('off: never refuses and always reports the whole budget', () => {
    const limiter = new SlidingWindowLimiter(false, () => 0);
    for (let i = 0; i < 100; i++) expect(limiter.spend('k', 3)).toEqual({ ok: true, limit: 60, remaining: 60 });
  });
});
