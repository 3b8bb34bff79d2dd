import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BIN, ROOT, runCli, startSandbox, tempDir, TEST_KEY, tryMount, type Sandbox } from './harness.js';

// Issue 6.5: a full disk and a closed pipe. A real 2 MB tmpfs (we mount it; skipped where mounting
// is not allowed) filled up to the last few KB: the export must stop with exit 1 and one line naming
// the file and ENOSPC (the local disk, not "a bug"), remove its temp file, and leave an older file
// at the target as it was. A reader that goes away (`| head`) ends the run quietly with exit 0.

const FREE_BYTES = 16 * 1024;

/** Every path under dir, relative to it. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      out.push(relative(dir, p));
      if (statSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

describe('disk full (ENOSPC) on a real 2 MB tmpfs', () => {
  const root = tempDir('mbuzz-disk-');
  const disk = join(root.path, 'disk');
  let mounted = false;
  let sb: Sandbox;
  beforeAll(async () => {
    mounted = tryMount(disk);
    sb = await startSandbox();
  });
  afterAll(async () => {
    await sb.stop();
    if (mounted) execFileSync('umount', [disk]);
    root.cleanup();
  });

  /** Fills the tmpfs until FREE_BYTES are left; the old target (if any) is written first. */
  function fill(old?: string): void {
    for (const name of readdirSync(disk)) rmSync(join(disk, name), { recursive: true, force: true });
    if (old) writeFileSync(join(disk, old), 'yesterday\n');
    const { bavail, bsize } = statfsSync(disk);
    writeFileSync(join(disk, 'filler'), Buffer.alloc(Math.max(0, bavail * bsize - FREE_BYTES)));
  }

  /** Without the tmpfs there is no disk to fill: the test is skipped, saying why, never passed. */
  function needDisk(ctx: TestContext): void {
    if (mounted) return;
    const reason = 'cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN)';
    console.warn(`skipped "${ctx.task.name}": ${reason}`);
    ctx.skip(reason);
  }

  it.for([
    ['conversions.csv', 'csv'],
    ['conversions.ndjson.gz', 'gzip NDJSON'],
    ['conversions.parquet', 'parquet'],
  ])('%s (%s): exit 1, "cannot write FILE: no space left on device (ENOSPC)", no temp file, the old file intact', async ([name], ctx) => {
    needDisk(ctx);
    fill(name);
    const target = join(disk, name!);
    const r = await runCli(['export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-10', '-o', target], { env: { MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY } });
    expect(r.stderr).toBe(`mbuzz: cannot write ${target}: no space left on device (ENOSPC)\n`);
    expect(r.code).toBe(1);
    expect(tree(disk)).toEqual([name, 'filler'].sort());
    expect(readFileSync(target, 'utf8')).toBe('yesterday\n');
  });

  it('--partition-by date: exit 1, and no temp file in the partition being written', async (ctx) => {
    needDisk(ctx);
    fill();
    const target = join(disk, 'parts');
    const r = await runCli(['export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-10', '-o', target, '--partition-by', 'date', '-f', 'csv'], {
      env: { MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY },
    });
    expect(r.stderr).toMatch(new RegExp(`^mbuzz: cannot write ${target}/date=2026-03-01/part-0000\\.csv: no space left on device \\(ENOSPC\\)\\n$`));
    expect(r.code).toBe(1);
    expect(tree(disk).filter((p) => p.endsWith('.tmp'))).toEqual([]);
  });
});

describe('a closed pipe (EPIPE) ends the run quietly', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(() => sb.stop());

  it.each([
    ['ndjson', 'head -n 3'],
    ['csv', 'head -n 3'],
    ['parquet', 'head -c 100'],
  ])('%s | %s: exit 0, nothing on stderr', async (format, head) => {
    const r = spawnSync('bash', ['-c', `set -o pipefail; node ${BIN} export conversions --from 2026-01-01 --to 2026-03-31 -f ${format} | ${head} >/dev/null; echo "rc=\${PIPESTATUS[0]}"`], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'], // stdin not a socket: bash then reads no rc file
    });
    expect(r.stdout.trim()).toBe('rc=0');
    expect(r.stderr).toBe('');
  });
});
