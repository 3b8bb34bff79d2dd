import { describe, expect, it } from 'vitest';
import { etaOf } from '../../src/pipeline/dry-run.js';
import type { DryRunPlan } from '../../src/providers/types.js';

const plan = (p: Partial<DryRunPlan>): DryRunPlan => ({ basis: '', concurrency: 4, notes: [], ...p });

describe('the dry run\'s ETA', () => {
  it('is the measured latency x the requests / the requests in flight, and says so', () => {
    const eta = etaOf(plan({ requests: { count: 100, exact: true }, concurrency: 4 }), 80);
    expect(eta!.ms).toBe(2000);
    expect(eta!.model).toMatch(/^80 ms mean latency of the dry run's requests x 100 requests \/ 4 in flight/);
  });

  it('is never below what the provider\'s rate limit allows', () => {
    const quota = { limit: '60 units a minute per key, 3 a call', unit: 'units', spentByDryRun: 3, minMs: 120_000 };
    expect(etaOf(plan({ requests: { count: 50, exact: true }, concurrency: 1, quota }), 20)!.ms).toBe(120_000);
    // the latency wins when it is the longer
    expect(etaOf(plan({ requests: { count: 50, exact: true }, concurrency: 1, quota: { ...quota, minMs: 100 } }), 20)!.ms).toBe(1000);
  });

  it('is unknown when the requests are (unless a rate limit still bounds it), or when nothing was measured', () => {
    expect(etaOf(plan({}), 30)).toBeNull();
    expect(etaOf(plan({ requests: { count: 3, exact: true } }), null)).toBeNull();
  });
});
