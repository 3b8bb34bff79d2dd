import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNdjson, runCli, startSandbox, TEST_KEY, useSandbox, type Sandbox } from './harness.js';

// Issue 9, points 2, 6 and 7, through the real CLI into -o DIR --partition-by date:
// - rows are checked against the window they were read for (a broken server's row dated outside
//   it, or on no calendar day): exit 6, and every file already in DIR stays byte-identical;
// - a run of another export (another filter) is refused before any request, unless
//   --replace-export; --state into a single file is refused;
// - DIR/_manifest.json lists every partition present, whichever run wrote it, with sizes and
//   sha256 that this test computes itself (sha256sum), and is written last.

/** Every path under `dir` (directories end in /) with the bytes of each file. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      const rel = p.slice(dir.length + 1);
      if (statSync(p).isDirectory()) {
        out[`${rel}/`] = '';
        walk(p);
      } else out[rel] = readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

const partitionDirs = (dir: string) => readdirSync(dir).filter((d) => d.startsWith('date=')).sort();
const sha256sum = (path: string) => execFileSync('sha256sum', [path]).toString().split(' ')[0];
const lines = (stderr: string) => stderr.trimEnd().split('\n');

describe('partitions: rows checked against their window, nothing replaced silently, a manifest of the directory', () => {
  const { sb, dir } = useSandbox();
  const broken: Record<string, Sandbox> = {};
  beforeAll(async () => {
    for (const mode of ['row-outside-window', 'row-bad-date']) broken[mode] = await startSandbox(['--broken', mode]);
  });
  afterAll(async () => {
    for (const b of Object.values(broken)) await b.stop();
  });
  const env = (url = sb.url) => ({ MBUZZ_BASE_URL: url, MBUZZ_API_KEY: TEST_KEY });
  const requests = async (url = sb.url) => ((await (await fetch(`${url}/_sandbox/stats`)).json()) as { requests: number }).requests;
  const exportTo = (out: string, from: string, to: string, ...more: string[]) => ['export', 'conversions', '--from', from, '--to', to, '-o', out, '--partition-by', 'date', '-f', 'ndjson', ...more];

  it.each([
    ['row-outside-window', /^mbuzz: conversions: a row's date is "2026-03-31", outside the window 2026-04-01\.\.2026-04-01 it was read for$/],
    ['row-bad-date', /^mbuzz: conversions: a row's date is "2026-13-45", not a calendar date \(YYYY-MM-DD\), in the window 2026-04-01\.\.2026-04-01 it was read for$/],
  ])('%s: exit 6 naming the value and the window; every existing file byte-identical, no partition added or removed', async (mode, line) => {
    const out = join(dir.path, `checked-${mode}`);
    const first = await runCli(exportTo(out, '2026-04-01', '2026-04-05'), { env: env() });
    expect(first.code, first.stderr).toBe(0);
    const before = snapshot(out);
    expect(partitionDirs(out)).toEqual(['01', '02', '03', '04', '05'].map((d) => `date=2026-04-${d}`));

    const r = await runCli(exportTo(out, '2026-04-01', '2026-04-05'), { env: env(broken[mode]!.url) });
    expect(r.code, r.stderr).toBe(6);
    expect(lines(r.stderr).at(-1)).toMatch(line);
    expect(snapshot(out)).toEqual(before);
  });

  it('removes stale partitions only for days it read and found empty, never outside them', async () => {
    const out = join(dir.path, 'stale');
    // the sandbox's data begins 2025-01-01: earlier days are empty
    let r = await runCli(exportTo(out, '2024-12-31', '2025-01-02'), { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(partitionDirs(out)).toEqual(['date=2025-01-01', 'date=2025-01-02']);
    // a day that had rows once (a partition with this export's record), and one the next run does not read
    const record = JSON.parse(readFileSync(join(out, 'date=2025-01-01', '_mbuzz.json'), 'utf8'));
    for (const day of ['2024-12-28', '2024-12-31']) {
      mkdirSync(join(out, `date=${day}`));
      const body = `{"date":"${day}"}\n`;
      writeFileSync(join(out, `date=${day}`, 'part-0000.ndjson'), body);
      writeFileSync(join(out, `date=${day}`, '_mbuzz.json'), JSON.stringify({ ...record, date: day, file: { name: 'part-0000.ndjson', bytes: body.length, sha256: 'x', rows: 1 } }));
    }
    r = await runCli(exportTo(out, '2024-12-30', '2025-01-01'), { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('removed 1 partition (2024-12-31): days read that are now empty');
    expect(partitionDirs(out)).toEqual(['date=2024-12-28', 'date=2025-01-01', 'date=2025-01-02']);
  });

  it('refuses another filter into the same directory (exit 2, before any request), and --replace-export makes DIR that export', async () => {
    const out = join(dir.path, 'filters');
    const first = await runCli(exportTo(out, '2026-04-01', '2026-04-05'), { env: env() });
    expect(first.code, first.stderr).toBe(0);
    const before = snapshot(out);
    const sent = await requests();

    const r = await runCli(exportTo(out, '2026-04-01', '2026-04-05', '--channel', 'email'), { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `mbuzz: ${out} holds conversions (no filters, ndjson) in 5 partitions (2026-04-01..2026-04-05), and this run is conversions (--channel email, ndjson): use another directory, or --replace-export to make ${out} this export (those partitions are replaced or removed)\n`,
    );
    expect(await requests()).toBe(sent);
    expect(snapshot(out)).toEqual(before);
    // other columns or another format are another export too
    for (const more of [['--fields', 'date,channel'], ['-f', 'csv']]) {
      const other = await runCli([...exportTo(out, '2026-04-01', '2026-04-05'), ...more], { env: env() });
      expect(other.code, other.stderr).toBe(2);
    }
    expect(snapshot(out)).toEqual(before);

    const replaced = await runCli(exportTo(out, '2026-04-02', '2026-04-03', '--channel', 'email', '--replace-export'), { env: env() });
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stderr).toContain('removed 3 partitions (2026-04-01, 2026-04-04, 2026-04-05) of the replaced export');
    expect(partitionDirs(out)).toEqual(['date=2026-04-02', 'date=2026-04-03']);
    for (const d of partitionDirs(out)) {
      const rows = parseNdjson(readFileSync(join(out, d, 'part-0000.ndjson')));
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((row) => row.channel))).toEqual(new Set(['email']));
      expect(JSON.parse(readFileSync(join(out, d, '_mbuzz.json'), 'utf8')).export.filters).toEqual({ channels: ['email'] });
    }
    // and now the plain run is the one refused
    const plain = await runCli(exportTo(out, '2026-04-02', '2026-04-03'), { env: env() });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('holds conversions (--channel email, ndjson) in 2 partitions');
  });

  it('refuses --state into a single file (the next run would replace its history with --lookback days)', async () => {
    const work = join(dir.path, 'single');
    mkdirSync(work);
    const one = join(work, 'one.ndjson');
    const state = join(work, 's.json');
    writeFileSync(one, '{"date":"2026-04-01"}\n');
    writeFileSync(state, '{"version":1,"entries":{}}\n');
    const sent = await requests();
    const r = await runCli(['export', 'conversions', '--state', state, '-o', one, '--lookback', '2'], { env: { ...env(), MBUZZ_NOW: '2026-05-06T03:00:00Z' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("mbuzz: --state with -o FILE would replace the earlier days in the file with the next run's few: use -o DIR --partition-by date (each day its own file), or stdout\n");
    expect(await requests()).toBe(sent);
    expect(readFileSync(one, 'utf8')).toBe('{"date":"2026-04-01"}\n');
    expect(readFileSync(state, 'utf8')).toBe('{"version":1,"entries":{}}\n');
  });

  it('_manifest.json lists every partition present after two runs over different days, each with its size, sha256 and run', async () => {
    const out = join(dir.path, 'manifest');
    const a = await runCli(exportTo(out, '2026-04-01', '2026-04-03'), { env: env() });
    expect(a.code, a.stderr).toBe(0);
    const b = await runCli(exportTo(out, '2026-04-10', '2026-04-11'), { env: env() });
    expect(b.code, b.stderr).toBe(0);

    const m = JSON.parse(readFileSync(join(out, '_manifest.json'), 'utf8'));
    const onDisk = partitionDirs(out).flatMap((d) => readdirSync(join(out, d)).filter((f) => f.startsWith('part-')).map((f) => `${d}/${f}`));
    expect(onDisk).toHaveLength(5);
    expect(m.partitions.map((p: { path: string }) => p.path)).toEqual(onDisk);
    for (const p of m.partitions) {
      const path = join(out, p.path);
      expect(p.bytes, p.path).toBe(statSync(path).size);
      expect(p.sha256, p.path).toBe(sha256sum(path));
      expect(p.rows, p.path).toBe(readFileSync(path, 'utf8').trimEnd().split('\n').length);
      expect(p.dataset).toBe('conversions');
    }
    // the run that wrote each: the first three days by the first run, the last two by the second
    const byRun = (id: string) => m.partitions.filter((p: { run: string }) => p.run === id).map((p: { date: string }) => p.date);
    const [first, second] = [m.partitions[0].run, m.partitions[4].run];
    expect(first).not.toBe(second);
    expect(m.run).toBe(second);
    expect(byRun(first)).toEqual(['2026-04-01', '2026-04-02', '2026-04-03']);
    expect(byRun(second)).toEqual(['2026-04-10', '2026-04-11']);
    expect(m.runs[first].args).toEqual(exportTo(out, '2026-04-01', '2026-04-03'));
    expect(m.runs[second].args).toEqual(exportTo(out, '2026-04-10', '2026-04-11'));
    // this run's own part: its datasets entry names only the files it wrote
    expect(m.datasets[0].files.map((f: { path: string }) => f.path)).toEqual(['date=2026-04-10/part-0000.ndjson', 'date=2026-04-11/part-0000.ndjson']);
    // written last, through a temp file that is gone
    const newest = Math.max(...onDisk.flatMap((p) => [statSync(join(out, p)).mtimeMs, statSync(join(out, p.split('/')[0]!, '_mbuzz.json')).mtimeMs]));
    expect(statSync(join(out, '_manifest.json')).mtimeMs).toBeGreaterThanOrEqual(newest);
    expect(Object.keys(snapshot(out)).filter((p) => p.includes('tmp'))).toEqual([]);
  });

  it('`export all --partition-by date`: the manifest lists the partitions of datasets this run did not export', async () => {
    const out = join(dir.path, 'all');
    const a = await runCli(['export', 'all', '--datasets', 'spend,funnel', '--from', '2026-04-01', '--to', '2026-04-02', '-o', out, '--partition-by', 'date', '-f', 'ndjson'], { env: env() });
    expect(a.code, a.stderr).toBe(0);
    const b = await runCli(['export', 'all', '--datasets', 'spend', '--from', '2026-04-03', '--to', '2026-04-03', '-o', out, '--partition-by', 'date', '-f', 'ndjson'], { env: env() });
    expect(b.code, b.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(out, '_manifest.json'), 'utf8'));
    expect(m.datasets.map((d: { dataset: string }) => d.dataset)).toEqual(['spend']);
    expect(m.partitions.map((p: { path: string; dataset: string }) => [p.dataset, p.path]).sort()).toEqual(
      [
        ['funnel', 'funnel/date=2026-04-01/part-0000.ndjson'],
        ['funnel', 'funnel/date=2026-04-02/part-0000.ndjson'],
        ['spend', 'spend/date=2026-04-01/part-0000.ndjson'],
        ['spend', 'spend/date=2026-04-02/part-0000.ndjson'],
        ['spend', 'spend/date=2026-04-03/part-0000.ndjson'],
      ].sort(),
    );
    for (const p of m.partitions) expect(p.sha256).toBe(sha256sum(join(out, p.path)));
  });
});
