import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, startSandbox, tempDir, TEST_KEY, tryMount, type Sandbox } from './harness.js';

// Issue 9.12 (local state): a --state file that was damaged or edited by hand is exit 2 naming
// the file and the key, before any request; a full disk while writing the state or the manifest
// is exit 1 naming that file, with no temp file left and the older file as it was.

const NOW = '2026-03-05T06:00:00Z';
const KEY = 'conversions|-|0123456789ab';
const entry = (fields: Record<string, unknown>) => ({ lastCompleteDay: '2026-03-01', updatedAt: '2026-03-02T03:15:00.000Z', dataset: 'conversions', ...fields });

describe('a damaged --state file: exit 2 naming the file and the key, nothing sent', () => {
  let sb: Sandbox;
  const sandboxLog: string[] = [];
  const root = tempDir('mbuzz-state-');
  beforeAll(async () => {
    sb = await startSandbox(['--verbose']);
    sb.child.stderr!.on('data', (d: Buffer) => sandboxLog.push(...d.toString().split('\n')));
  });
  afterAll(async () => {
    await sb.stop();
    root.cleanup();
  });

  const cases: [string, unknown, string][] = [
    ['not a date', entry({ lastCompleteDay: 'yesterday' }), '.lastCompleteDay is "yesterday", not a calendar date (YYYY-MM-DD)'],
    ['an impossible date', entry({ lastCompleteDay: '2026-02-30' }), '.lastCompleteDay is "2026-02-30", not a calendar date (YYYY-MM-DD)'],
    ['the end of time', entry({ lastCompleteDay: '9999-12-31' }), '.lastCompleteDay is 9999-12-31, after today (2026-03-05 UTC)'],
    ['tomorrow', entry({ lastCompleteDay: '2026-03-06' }), '.lastCompleteDay is 2026-03-06, after today (2026-03-05 UTC)'],
    ['a number', entry({ lastCompleteDay: 20260301 }), '.lastCompleteDay is 20260301, not a calendar date (YYYY-MM-DD)'],
    ['missing', entry({ lastCompleteDay: undefined }), '.lastCompleteDay is missing, not a calendar date (YYYY-MM-DD)'],
    ['a date with a time', entry({ lastCompleteDay: '2026-03-01T00:00:00Z' }), '.lastCompleteDay is "2026-03-01T00:00:00Z", not a calendar date (YYYY-MM-DD)'],
    ['updatedAt not a string', entry({ updatedAt: 5 }), '.updatedAt is 5, not a timestamp'],
    ['dataset missing', entry({ dataset: undefined }), '.dataset is missing, not a dataset name'],
    ['profile not a string', entry({ profile: ['prod'] }), '.profile is ["prod"], not a profile name'],
    ['an entry that is not an object', 'conversions', ' is "conversions", not an object'],
  ];
  it.each(cases.map((c, i) => [...c, i] as const))('%s', async (_name, bad, problem, i) => {
    const dir = join(root.path, `case-${i}`);
    mkdirSync(dir);
    const state = join(dir, 'state.json');
    // the damaged entry need not be the one this run uses: every entry is checked on load
    const text = `${JSON.stringify({ version: 1, entries: { [KEY]: bad } }, null, 2)}\n`;
    writeFileSync(state, text);
    const r = await runCli(['export', 'conversions', '--state', state, '-o', join(dir, 'out'), '--partition-by', 'date'], { env: { MBUZZ_BASE_URL: `${sb.url}/case-${i}`, MBUZZ_API_KEY: TEST_KEY, MBUZZ_NOW: NOW } });
    expect(r.stderr).toBe(`mbuzz: --state ${state}: entries[${JSON.stringify(KEY)}]${problem}; fix or remove that entry\n`);
    expect(r.code).toBe(2);
    expect(sandboxLog.filter((l) => l.includes(`/case-${i}/`))).toEqual([]);
    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(readFileSync(state, 'utf8')).toBe(text);
  });
});

describe('a full disk (ENOSPC) while writing the state or the manifest, on a real 2 MB tmpfs', () => {
  const root = tempDir('mbuzz-state-disk-');
  const disk = join(root.path, 'disk');
  const mounted = tryMount(disk);
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => {
    await sb.stop();
    if (mounted) execFileSync('umount', [disk]);
    root.cleanup();
  });
  const env = () => ({ MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY, MBUZZ_NOW: NOW });

  /** Empties the tmpfs, writes `keep`, and fills it until only `pages` 4 KB pages are free. */
  function fill(keep: Record<string, string>, pages: number): void {
    for (const name of readdirSync(disk)) rmSync(join(disk, name), { recursive: true, force: true });
    for (const [name, text] of Object.entries(keep)) writeFileSync(join(disk, name), text);
    const { bavail, bsize } = statfsSync(disk);
    expect(bsize).toBe(4096);
    writeFileSync(join(disk, 'filler'), Buffer.alloc((bavail - pages) * bsize));
    expect(statfsSync(disk).bavail).toBe(pages);
  }

  it.skipIf(!mounted)('--state: exit 1, "cannot write STATE: no space left on device (ENOSPC)", no temp file, the old state intact (needs mount: root)', async () => {
    const state = join(disk, 'state.json');
    const old = `${JSON.stringify({ version: 1, entries: { [KEY]: entry({}) } }, null, 2)}\n`;
    // one page free: the lock takes it, so the new state has none
    fill({ 'state.json': old }, 1);
    const r = await runCli(['export', 'conversions', '--state', state, '--from', '2026-03-01', '-q'], { env: env() });
    expect(r.stderr).toBe(`mbuzz: cannot write ${state}: no space left on device (ENOSPC)\n`);
    expect(r.code).toBe(1);
    expect(readdirSync(disk).sort()).toEqual(['filler', 'state.json']);
    expect(readFileSync(state, 'utf8')).toBe(old);
  });

  it.skipIf(!mounted)('--manifest: exit 1, "cannot write MANIFEST: no space left on device (ENOSPC)", no temp file (needs mount: root)', async () => {
    // how many pages the output takes: a run elsewhere (gzip output is the same bytes every time)
    const probe = join(root.path, 'probe.ndjson.gz');
    const p = await runCli(['export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-01', '-o', probe, '-q'], { env: env() });
    expect(p.code, p.stderr).toBe(0);
    const outPages = Math.ceil(readFileSync(probe).length / 4096);
    // the lock's page and the output's: nothing left for the manifest
    fill({}, 1 + outPages);
    const out = join(disk, 'out.ndjson.gz');
    const r = await runCli(['export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-01', '-o', out, '--manifest', '-q'], { env: env() });
    expect(r.stderr).toBe(`mbuzz: cannot write ${out}.manifest.json: no space left on device (ENOSPC)\n`);
    expect(r.code).toBe(1);
    expect(readdirSync(disk).sort()).toEqual(['filler', 'out.ndjson.gz']);
    expect(readFileSync(out).equals(readFileSync(probe))).toBe(true);
  });
});
