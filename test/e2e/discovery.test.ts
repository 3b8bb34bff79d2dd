import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runCli, tempDir } from './harness.js';

// Finding one's way (issue 13.8): one dataset at a time, did-you-mean, a flag that only means
// something with another, `mbuzz version`, and the sandbox banner's try: line as printed.

const dir = tempDir('mbuzz-discovery-');
afterAll(() => dir.cleanup());

describe('discovery', () => {
  it('mbuzz datasets NAME shows that dataset alone', async () => {
    const r = await runCli(['datasets', 'spend']);
    expect(r.code).toBe(0);
    const text = r.stdout.toString();
    expect(text.startsWith('spend  (mbuzz) ')).toBe(true);
    expect(text).not.toContain('conversions  (mbuzz)');
    const j = await runCli(['datasets', 'mixpanel:export', '--json']);
    expect(JSON.parse(j.stdout.toString()).map((d: { name: string }) => d.name)).toEqual(['mixpanel:export']);
  });

  it('an unknown dataset suggests the nearest name, exit 2', async () => {
    const r = await runCli(['datasets', 'conversion']);
    expect([r.code, r.stderr]).toEqual([2, 'mbuzz: unknown dataset "conversion" (did you mean conversions?)\n']);
  });

  it('--dialect without --as sql is an error, not ignored', async () => {
    const r = await runCli(['schema', 'spend', '--dialect', 'postgres']);
    expect([r.code, r.stderr, r.stdout.length]).toEqual([2, 'mbuzz: --dialect goes with --as sql\n', 0]);
    const ok = await runCli(['schema', 'spend', '--as', 'sql', '--dialect', 'postgres']);
    expect(ok.code).toBe(0);
    expect(ok.stdout.toString()).toMatch(/^CREATE TABLE/);
  });

  it('mbuzz version prints what --version prints', async () => {
    const [a, b] = await Promise.all([runCli(['version']), runCli(['--version'])]);
    expect(a.code).toBe(0);
    expect(a.stdout.toString()).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(a.stdout.toString()).toBe(b.stdout.toString());
  });

  it("the sandbox banner's try: line works exactly as printed", async () => {
    // mbuzz on PATH as a newcomer would have it after npm link
    const binDir = join(dir.path, 'bin');
    mkdirSync(binDir);
    symlinkSync(BIN, join(binDir, 'mbuzz'));
    const sandbox = spawn(process.execPath, [BIN, 'sandbox', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const lines = createInterface({ input: sandbox.stderr! });
      const tryLine = await new Promise<string>((res) => lines.on('line', (l) => l.startsWith('try:') && res(l.slice('try:'.length).trim())));
      expect(tryLine).toMatch(/^MBUZZ_BASE_URL=http:\/\/127\.0\.0\.1:\d+ MBUZZ_API_KEY=\S+ mbuzz export conversions/);
      const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((res) => {
        const sh = spawn('sh', ['-c', tryLine], { env: { PATH: `${binDir}:${process.env.PATH}`, HOME: dir.path }, cwd: dir.path });
        let stdout = '';
        let stderr = '';
        sh.stdout.on('data', (d) => (stdout += d));
        sh.stderr.on('data', (d) => (stderr += d));
        sh.on('close', (code) => res({ code, stdout, stderr }));
      });
      expect(run.code, run.stderr).toBe(0);
      const rows = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { date: string });
      expect(rows.length).toBeGreaterThan(0);
    } finally {
      sandbox.kill('SIGINT');
    }
  });
});
