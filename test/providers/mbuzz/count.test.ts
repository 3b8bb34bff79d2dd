import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../../../src/core/errors.js';
import { HttpClient } from '../../../src/http/client.js';
import type { HttpRequest } from '../../../src/http/transport.js';
import { findDataset } from '../../../src/providers/registry.js';
import type { ExportOptions } from '../../../src/providers/types.js';

// A day's count, as `mbuzz verify` asks it: one request for one row of that day, with the export's
// filters where the server applies them (api-contracts/mbuzz.md §2), and its total_count believed
// only when the envelope agrees with itself. A fake transport: no sockets.

const KEY = 'sk_test_0123456789abcdef0123456789abcdef';

function count(dataset: string, o: Partial<ExportOptions>, meta: Record<string, number>, data: unknown[] = []) {
  const seen: URL[] = [];
  const client = new HttpClient({
    fetch: async (req: HttpRequest) => {
      seen.push(new URL(req.url));
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data, meta }) };
    },
    sleep: async () => undefined,
    random: () => 0.5,
    now: () => new Date(),
    signal: new AbortController().signal,
    timeoutMs: 1000,
    secrets: [KEY],
    backoff: { retries: 0 },
  });
  const def = findDataset(dataset);
  const options = { dataset: def, params: {}, baseUrl: 'https://mbuzz.co', credentials: { apiKey: KEY }, ...o } as ExportOptions;
  return { total: def.dayTotal!.count({ options, client }, '2026-04-02'), seen, unavailable: def.dayTotal!.unavailable?.(options) };
}
const params = (u: URL) => [...u.searchParams.entries()];

describe('mbuzz dayTotal', () => {
  it('asks for one row of the day, with the channels, and answers total_count', async () => {
    const c = count('spend', { channels: ['email', 'paid_search'] }, { total_count: 41, page: 1, per_page: 1, total_pages: 41 }, [{}]);
    expect(await c.total).toBe(41);
    expect(c.seen.map((u) => u.pathname)).toEqual(['/api/v1/data/spend']);
    expect(params(c.seen[0]!)).toEqual([['start_date', '2026-04-02'], ['end_date', '2026-04-02'], ['channels[]', 'email'], ['channels[]', 'paid_search'], ['page', '1'], ['per_page', '1']]);
  });

  it('funnel sends --funnel (the server filters by it); conversions cannot count it', async () => {
    const f = count('funnel', { funnel: 'signup' }, { total_count: 0, page: 1, per_page: 1, total_pages: 0 });
    expect(await f.total).toBe(0);
    expect(f.seen[0]!.searchParams.get('funnel')).toBe('signup');
    expect(f.unavailable).toBeUndefined();
    expect(count('conversions', { funnel: 'signup' }, { total_count: 0, page: 1, per_page: 1, total_pages: 0 }).unavailable).toMatch(/does not filter conversions by funnel/);
    expect(count('conversions', {}, { total_count: 0, page: 1, per_page: 1, total_pages: 0 }).unavailable).toBeUndefined();
  });

  it('a total the envelope contradicts is not believed (exit 6)', async () => {
    await expect(count('conversions', {}, { total_count: 5, page: 1, per_page: 1, total_pages: 2 }, [{}]).total).rejects.toBeInstanceOf(IntegrityError);
  });
});
