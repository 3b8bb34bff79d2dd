import { describe, expect, it } from 'vitest';
import { parseSandboxFlags, DEFAULT_PORT } from '../../../src/commands/sandbox/options.js';
import { UsageError } from '../../../src/core/errors.js';

describe('mbuzz sandbox flags', () => {
  it('fills the defaults when nothing is given', () => {
    expect(parseSandboxFlags({})).toEqual({
      port: DEFAULT_PORT, host: '127.0.0.1', seed: 1, scale: 1, now: undefined, dataStart: '2025-01-01', tieOrder: 'per-query',
      latencyMs: 0, faultRate: 0, faults: {}, faultSeed: undefined, rateLimits: 'real', verbose: false,
    });
    expect(DEFAULT_PORT).toBe(8787);
  });

  it('reads every flag', () => {
    const o = parseSandboxFlags({
      port: '0', seed: '42', scale: '0.5', now: '2025-03-15T12:00:00+02:00', dataStart: '2024-06-01', tieOrder: 'stable',
      latency: '25', faultRate: '0.1', faults: '500=0.02,reset=0.01', faultSeed: '9', verbose: true,
    });
    expect(o).toMatchObject({ port: 0, seed: 42, scale: 0.5, dataStart: '2024-06-01', tieOrder: 'stable', latencyMs: 25, faultRate: 0.1, faultSeed: 9, verbose: true });
    expect(o.now?.toISOString()).toBe('2025-03-15T10:00:00.000Z');
    expect(o.faults).toEqual({ '500': 0.02, reset: 0.01 });
    expect(parseSandboxFlags({ now: '2025-03-15' }).now?.toISOString()).toBe('2025-03-15T00:00:00.000Z');
  });

  it.each([
    [{ port: 'abc' }, /--port must be an integer from 0 to 65535/],
    [{ port: '70000' }, /--port/],
    [{ seed: '-1' }, /--seed/],
    [{ seed: '1.5' }, /--seed/],
    [{ scale: '0' }, /--scale must be above 0/],
    [{ scale: '2000' }, /--scale/],
    [{ scale: 'lots' }, /--scale/],
    [{ now: '2025-03-15T12:00:00' }, /--now must be an ISO instant/],
    [{ now: '2025-02-30' }, /--now/],
    [{ now: 'yesterday' }, /--now/],
    [{ dataStart: '2025-02-30' }, /--data-start/],
    [{ dataStart: '1999-12-31' }, /--data-start/],
    [{ dataStart: '2025-04-01', now: '2025-03-15T00:00:00Z' }, /after --now/],
    [{ tieOrder: 'shuffled' }, /--tie-order must be one of stable, per-query, random/],
    [{ latency: '-1' }, /--latency/],
    [{ faultRate: '1.5' }, /--fault-rate/],
    [{ faults: 'boom=0.1' }, /--faults: unknown fault kind "boom"/],
    [{ faults: '500=0.7', faultRate: '0.8' }, /--faults: fault probabilities add up to/],
    [{ faultSeed: 'x' }, /--fault-seed/],
  ])('rejects %j with a one-line usage error', (flags, message) => {
    let caught: unknown;
    try {
      parseSandboxFlags(flags);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain('\n');
  });
});
