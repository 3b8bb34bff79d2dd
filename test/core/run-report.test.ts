import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { maskArgs, RunReport, writeRunReport } from '../../src/core/run-report.js';
import { registerSecret } from '../../src/core/secrets.js';

const dir = mkdtempSync(join(tmpdir(), 'mbuzz-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the run report', () => {
  it('masks the value of --api-key even when it was never registered (the run stopped before reading it)', () => {
    expect(maskArgs(['export', 'x', '--api-key', 'sk_live_neverregistered00000000', '--from', '2026-01-01'])).toEqual(['export', 'x', '--api-key', '****', '--from', '2026-01-01']);
    expect(maskArgs(['--api-key=sk_live_neverregistered00000000'])).toEqual(['--api-key=****']);
  });

  it('masks registered secrets and URL passwords in any argument', () => {
    registerSecret('sk_live_registered0123456789abc');
    const out = maskArgs(['--base-url', 'https://u:hunter2@host.test', '-o', 'postgresql://me:pw@db/x?table=t', '--param', 'x=sk_live_registered0123456789abc']).join(' ');
    expect(out).not.toMatch(/hunter2|:pw@|registered0123456789abc/);
    expect(out).toContain('https://u:****@host.test');
  });

  it('holds the outcome, the parts the command added (read at the end), and names the exit code', () => {
    const report = new RunReport(['export', 'conversions'], new Date('2026-05-20T12:00:00Z'));
    let rows = 0;
    report.add(() => ({ datasets: [{ rows }] }));
    rows = 42;
    const doc = report.document({ exitCode: 6, reason: 'rows differ' }, new Date('2026-05-20T12:00:03Z'));
    expect(doc).toMatchObject({ tool: 'mbuzz', command: 'export', args: ['export', 'conversions'], startedAt: '2026-05-20T12:00:00.000Z', finishedAt: '2026-05-20T12:00:03.000Z', exitCode: 6, outcome: 'integrity', reason: 'rows differ', datasets: [{ rows: 42 }] });
    expect(report.document({ exitCode: 143, reason: 'interrupted (SIGTERM)' }, new Date()).outcome).toBe('terminated');
  });

  it('writes a file atomically (nothing else left in the directory) and `-` as one line; a secret in the reason is masked', async () => {
    registerSecret('sk_test_echoedbytheserver0000000');
    const doc = { reason: 'the server said: bad key sk_test_echoedbytheserver0000000', n: 1 };
    const path = join(dir, 'r.json');
    await writeRunReport(path, doc, new PassThrough());
    expect(readdirSync(dir)).toEqual(['r.json']);
    const text = readFileSync(path, 'utf8');
    expect(JSON.parse(text)).toEqual({ reason: 'the server said: bad key sk_test_…0000', n: 1 });
    const err = new PassThrough();
    let out = '';
    err.on('data', (d) => (out += d));
    await writeRunReport('-', doc, err);
    expect(out.endsWith('\n')).toBe(true);
    expect(out.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(out).reason).not.toContain('echoedbytheserver');
  });
});
