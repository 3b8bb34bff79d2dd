import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/core/env.js';
import { dryRun } from '../../src/pipeline/dry-run.js';
import type { ExportPlan } from '../../src/pipeline/validate.js';
import { findDataset } from '../../src/providers/registry.js';
import type { ExportOptions } from '../../src/providers/types.js';

// A dataset without a plan of its own gets the generic one: the days of the range, requests and
// rows unknown, and nothing sent (the transport below fails any request).

describe('the generic dry run', () => {
  it('knows the days of the range, sends nothing and leaves the requests, rows and ETA unknown', async () => {
    const dataset = { ...findDataset('sealmetrics:microconversions'), dryRun: undefined };
    const options = {
      dataset,
      from: '2026-05-01',
      to: '2026-05-07',
      today: '2026-05-20',
      params: {},
      format: 'ndjson',
      gzip: false,
      columns: dataset.columns,
      concurrency: 4,
      perPage: 100,
      retries: 0,
      timeoutMs: 1000,
      credentials: {},
      verbose: false,
      warnings: [],
    } as unknown as ExportOptions;
    let sent = 0;
    const env = {
      fetch: async () => {
        sent++;
        throw new Error('a generic dry run sends nothing');
      },
      sleep: async () => undefined,
      random: () => 0.5,
      now: () => new Date('2026-05-20T12:00:00Z'),
      signal: new AbortController().signal,
    } as unknown as Env;
    const plan = { jobs: [{ options, checkpointing: false }], multi: false, today: '2026-05-20' } as ExportPlan;
    const result = await dryRun(plan, env);
    expect(sent).toBe(0);
    const d = result.datasets[0]!;
    expect(d).toMatchObject({ dataset: 'sealmetrics:microconversions', days: 7, sent: { requests: 0, meanLatencyMs: null }, eta: null });
    expect(d.plan.windows).toBeUndefined();
    expect(d.plan.requests).toBeUndefined();
    expect(d.plan.rows).toBeUndefined();
    expect(d.plan.concurrency).toBe(4);
  });
});
