import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/core/errors.js';
import { LocalPartitionStore } from '../../src/destinations/local-partitions.js';
import { checkSameExport, exportIdentity, sourceFingerprint } from '../../src/pipeline/same-export.js';
import { resolveExport } from '../../src/pipeline/resolve.js';
import type { ExportFlags } from '../../src/pipeline/request.js';
import { findDataset, providerOf } from '../../src/providers/registry.js';

// Which earlier partitions a run may share a directory with, read from the records a previous
// run left (written here by hand, in the documented format of destinations/partition-records.ts).

const root = mkdtempSync(join(tmpdir(), 'mbuzz-same-export-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const options = (flags: Partial<ExportFlags>, key = 'sk_test_one') => {
  const dataset = findDataset(flags.dataset ?? 'conversions');
  return resolveExport({ dataset, provider: providerOf(dataset), flags: { dataset: dataset.name, from: '2026-04-01', to: '2026-04-02', format: 'ndjson', ...flags }, config: { profiles: {} }, vars: { MBUZZ_API_KEY: key }, today: '2026-05-20' });
};

let n = 0;
/** A directory with one partition per entry: [date, options that wrote it, run start], or a bare part file. */
function dirWith(parts: [string, ReturnType<typeof options> | undefined, string?][]): string {
  const dir = join(root, `d${n++}`);
  for (const [date, o, startedAt] of parts) {
    const p = join(dir, `date=${date}`);
    mkdirSync(p, { recursive: true });
    writeFileSync(join(p, 'part-0000.ndjson'), 'x\n');
    if (!o) continue;
    const record = { tool: 'mbuzz', version: '0.1.0', date, export: exportIdentity(o), source: sourceFingerprint(o), run: { id: `r-${startedAt}`, startedAt: startedAt ?? '2026-05-01T00:00:00Z', args: [] }, file: { name: 'part-0000.ndjson', bytes: 2, sha256: 'x', rows: 1 } };
    writeFileSync(join(p, '_mbuzz.json'), JSON.stringify(record));
  }
  return dir;
}

const check = async (dir: string, o: ReturnType<typeof options>, replace = false) => {
  const said: string[] = [];
  const replaces = await checkSameExport(new LocalPartitionStore(dir), o, replace, (l) => said.push(l));
  return { said, replaces };
};

describe('one directory of partitions holds one export', () => {
  it('the same export passes silently, whatever order its channels were given in', async () => {
    const dir = dirWith([['2026-04-01', options({ channels: ['email', 'ai'] })]]);
    expect(await check(dir, options({ channels: ['ai', 'email'] }))).toEqual({ said: [], replaces: [] });
  });

  it.each([
    ['another channel', { channels: ['email'] }, /holds conversions \(no filters, ndjson\) in 1 partition \(2026-03-01\), and this run is conversions \(--channel email, ndjson\)/],
    ['a funnel', { funnel: 'sales' }, /this run is conversions \(--funnel sales, ndjson\)/],
    ['other columns', { fields: ['date', 'channel'] }, /this run is conversions \(no filters, ndjson, --fields date,channel\)/],
    ['another format', { format: 'csv' as const }, /this run is conversions \(no filters, csv\)/],
    ['--csv-safe', { format: 'csv' as const, csvSafe: true }, /this run is conversions \(no filters, csv, --csv-safe\)/],
  ])('refuses %s (exit 2), and --replace-export hands the partitions over', async (_, flags, message) => {
    const dir = dirWith([['2026-03-01', options({})]]);
    const err = await check(dir, options(flags)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
    const { replaces, said } = await check(dir, options(flags), true);
    expect(replaces).toEqual(['2026-03-01']);
    expect(said.join('\n')).toMatch(/^--replace-export: 1 partition of conversions \(no filters, ndjson\) in .* are replaced by this run's days or removed$/);
  });

  it('never mixes in another dataset, even with --replace-export', async () => {
    const dir = dirWith([['2026-04-01', options({ dataset: 'spend' })]]);
    await expect(check(dir, options({}), true)).rejects.toThrow(`${dir} holds spend partitions (1 partition, 2026-04-01); conversions goes to a directory of its own`);
  });

  it('warns of partitions nothing recorded, and keeps them', async () => {
    const dir = dirWith([['2026-04-01', undefined], ['2026-04-02', options({})]]);
    const { said, replaces } = await check(dir, options({}));
    expect(replaces).toEqual([]);
    expect(said).toEqual([`warning: ${dir} has 1 partition with no record of the export that wrote them (2026-04-01: an older mbuzz, another tool, or a run that died while publishing); they are kept as they are, and exporting those days again records them`]);
  });

  it('warns when the last run used another key, and not again once a run with the new key has written', async () => {
    const rotated = dirWith([['2026-03-01', options({}, 'sk_test_old'), '2026-05-01T00:00:00Z']]);
    expect((await check(rotated, options({}, 'sk_test_new'))).said).toEqual([`warning: the last run into ${rotated} (2026-05-01T00:00:00Z) used another API key or base URL than this one: fine for a rotated key, wrong for another account`]);
    const since = dirWith([
      ['2026-03-01', options({}, 'sk_test_old'), '2026-05-01T00:00:00Z'],
      ['2026-03-02', options({}, 'sk_test_new'), '2026-05-02T00:00:00Z'],
    ]);
    expect((await check(since, options({}, 'sk_test_new'))).said).toEqual([]);
  });
});
