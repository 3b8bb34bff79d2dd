import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, LIVE_KEY, runCli, useSandbox } from './harness.js';

// Issue 9.4: temp files are created exclusively and never follow symlinks. Someone who can write
// to the output's directory (a shared /tmp) plants a symlink at every name mbuzz uses beside the
// target, each pointing at a victim file. The victim is never modified; the run either goes on
// safely (the planted link is removed or ignored) or exits 2 naming the file.

const DAY = ['--from', '2026-03-01', '--to', '2026-03-01'];
const PRECIOUS = 'precious: must never be overwritten\n';

describe('symlinks planted at the names mbuzz uses', () => {
  const { sb, dir } = useSandbox(['--latency', '40', '--tie-order', 'per-query']);
  const env = () => ({ MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: LIVE_KEY });
  let victim: string;
  const reference: Record<string, Buffer> = {};
  let n = 0;
  /** A fresh directory for one case (the victim lives elsewhere). */
  const caseDir = () => {
    const d = join(dir.path, `case-${++n}`);
    mkdirSync(d);
    return d;
  };

  beforeAll(async () => {
    mkdirSync(join(dir.path, 'home'));
    victim = join(dir.path, 'home', 'victim.txt');
    const ref = caseDir();
    for (const [name, range] of [['ref.ndjson', DAY], ['ref.parquet', ['--from', '2026-03-01', '--to', '2026-03-08']]] as const) {
      const r = await runCli(['export', 'conversions', ...range, '-o', join(ref, name), '-q'], { env: env() });
      expect(r.code, r.stderr).toBe(0);
      reference[name] = readFileSync(join(ref, name));
    }
  });

  /** Plants `victim` (fresh content) behind each of `names` in `d`. */
  function plant(d: string, ...names: string[]): void {
    writeFileSync(victim, PRECIOUS);
    for (const name of names) symlinkSync(victim, join(d, name));
  }
  const victimIntact = () => expect(readFileSync(victim, 'utf8')).toBe(PRECIOUS);

  it('the partial file (.NAME.mbuzz-partial): replaced by a new file, the victim untouched', async () => {
    const d = caseDir();
    plant(d, '.out.ndjson.mbuzz-partial');
    const r = await runCli(['export', 'conversions', ...DAY, '-o', join(d, 'out.ndjson'), '-q'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    victimIntact();
    expect(readFileSync(join(d, 'out.ndjson')).equals(reference['ref.ndjson']!)).toBe(true);
    expect(existsSync(join(d, '.out.ndjson.mbuzz-partial'))).toBe(false);
  });

  it('the checkpoint and its old fixed temp name (.NAME.mbuzz-checkpoint.json[.tmp])', async () => {
    const d = caseDir();
    plant(d, '.out.ndjson.mbuzz-checkpoint.json', '.out.ndjson.mbuzz-checkpoint.json.tmp');
    const r = await runCli(['export', 'conversions', ...DAY, '-o', join(d, 'out.ndjson')], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    victimIntact();
    expect(readFileSync(join(d, 'out.ndjson')).equals(reference['ref.ndjson']!)).toBe(true);
  });

  it('--resume with the checkpoint a symlink: not trusted, the run starts over', async () => {
    const d = caseDir();
    plant(d, '.out.ndjson.mbuzz-checkpoint.json');
    const r = await runCli(['export', 'conversions', ...DAY, '-o', join(d, 'out.ndjson'), '--resume'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^mbuzz: warning: the checkpoint beside \S+ cannot be trusted \(it is a symbolic link, which mbuzz does not follow here \(ELOOP\)\): starting over$/m);
    victimIntact();
    expect(readFileSync(join(d, 'out.ndjson')).equals(reference['ref.ndjson']!)).toBe(true);
  });

  it('--resume with the partial file swapped for a symlink to a copy of itself: not followed, not trusted', async () => {
    const d = caseDir();
    const out = join(d, 'out.ndjson');
    const args = ['export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-04', '-o', out, '-q'];
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env() }, stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    const cp = join(d, '.out.ndjson.mbuzz-checkpoint.json');
    for (let i = 0; i < 1500 && child.exitCode === null && !(existsSync(cp) && JSON.parse(readFileSync(cp, 'utf8')).windows.length > 0); i++) await new Promise((r) => setTimeout(r, 10));
    expect(child.exitCode).toBeNull();
    child.kill('SIGTERM');
    await exited;
    // the victim holds exactly the partial's bytes: a resume that followed the link would accept it
    copyFileSync(join(d, '.out.ndjson.mbuzz-partial'), victim);
    const before = readFileSync(victim);
    rmSync(join(d, '.out.ndjson.mbuzz-partial'));
    symlinkSync(victim, join(d, '.out.ndjson.mbuzz-partial'));
    const r = await runCli([...args.slice(0, -1), '--resume'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^mbuzz: warning: the checkpoint beside \S+ cannot be trusted \(its partial file is a symbolic link\): starting over$/m);
    expect(readFileSync(victim).equals(before)).toBe(true);
  });

  it('the Parquet writer-state file (.NAME.mbuzz-checkpoint.state-25000)', async () => {
    const d = caseDir();
    plant(d, '.out.parquet.mbuzz-checkpoint.state-25000');
    const r = await runCli(['export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-08', '-o', join(d, 'out.parquet'), '-q'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    victimIntact();
    expect(readFileSync(join(d, 'out.parquet')).equals(reference['ref.parquet']!)).toBe(true);
  });

  it("--state's old fixed temp name (.STATE.tmp)", async () => {
    const d = caseDir();
    plant(d, '.state.json.tmp');
    const r = await runCli(['export', 'conversions', '--state', join(d, 'state.json'), '--from', '2026-03-01', '-o', join(d, 'out'), '--partition-by', 'date', '-q'], { env: { ...env(), MBUZZ_NOW: '2026-03-02T06:00:00Z' } });
    expect(r.code, r.stderr).toBe(0);
    victimIntact();
    expect(Object.values(JSON.parse(readFileSync(join(d, 'state.json'), 'utf8')).entries)).toHaveLength(1);
  });

  // tens of thousands of symlinks take long on a loaded disk: on tmpfs (/dev/shm) they are quick
  it.skipIf(!existsSync('/dev/shm'))("the manifest's old temp names (.MILLISECONDS.manifest.tmp, one for every millisecond of the run; needs /dev/shm)", async () => {
    const d = mkdtempSync('/dev/shm/mbuzz-e2e-');
    try {
      writeFileSync(victim, PRECIOUS);
      const t0 = Date.now();
      for (let t = t0; t < t0 + 30_000; t++) symlinkSync(victim, join(d, `.${t}.manifest.tmp`));
      const r = await runCli(['export', 'conversions', ...DAY, '-o', join(d, 'out.ndjson'), '--manifest', '-q'], { env: env() });
      expect(r.code, r.stderr).toBe(0);
      expect(Date.now()).toBeLessThan(t0 + 30_000); // the run ended inside the planted range
      victimIntact();
      expect(JSON.parse(readFileSync(join(d, 'out.ndjson.manifest.json'), 'utf8')).tool).toBe('mbuzz');
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('the lock file (.NAME.mbuzz-lock): exit 2 naming it, nothing sent', async () => {
    const d = caseDir();
    plant(d, '.out.ndjson.mbuzz-lock');
    const r = await runCli(['export', 'conversions', ...DAY, '-o', join(d, 'out.ndjson')], { env: env() });
    expect(r.stderr).toBe(`mbuzz: ${join(d, '.out.ndjson.mbuzz-lock')} is a symbolic link, not an mbuzz lock file; remove it if no mbuzz run is using it\n`);
    expect(r.code).toBe(2);
    victimIntact();
    expect(existsSync(join(d, 'out.ndjson'))).toBe(false);
  });
});
