import { createHash } from 'node:crypto';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { truthCount } from '../../src/sandbox/truth.js';
import { BIN, LIVE_KEY, NOW, runCli, startSandbox, TEST_KEY, useSandbox, type Sandbox } from './harness.js';

// --report and --log-format json through the real CLI: the report is read back as JSON and checked
// against the sandbox's own counts (truthCount), its request counter, the file's own sha256 and
// the exit code the process really ended with; every stderr line is parsed as JSON; no key
// appears anywhere, even one a server echoes back.

const { sb, dir } = useSandbox();
let fewer: Sandbox;
let slow: Sandbox;
beforeAll(async () => {
  [fewer, slow] = await Promise.all([startSandbox(['--broken', 'count-fewer']), startSandbox(['--latency', '200'])]);
});
afterAll(async () => {
  await Promise.all([fewer?.stop(), slow?.stop()]);
});

const env = (url = sb.url) => ({ MBUZZ_BASE_URL: url, MBUZZ_API_KEY: TEST_KEY, MBUZZ_NOW: NOW });
const stats = async (url: string) => ((await (await fetch(`${url}/_sandbox/stats`)).json()) as { requests: number }).requests;
const count = (from: string, to: string) => truthCount('conversions', { seed: 1, scale: 1, environment: 'test', from, to, now: NOW, dataStart: '2025-01-01' });
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const sub = (name: string) => {
  const p = join(dir.path, name);
  mkdirSync(p);
  return p;
};

/** Every stderr line is one JSON object with a level and a message. */
function jsonLines(stderr: string): Array<Record<string, unknown>> {
  const lines = stderr.split('\n').filter((l) => l !== '');
  return lines.map((l) => {
    const o = JSON.parse(l) as Record<string, unknown>;
    expect(typeof o.level === 'string' || o.tool === 'mbuzz', l).toBe(true);
    return o;
  });
}

describe('--report', () => {
  it('on success: the exit, the windows with rows and the API\'s totals, the requests, the file with its sha256; the key masked', async () => {
    const work = sub('ok');
    const out = join(work, 'conv.csv');
    const report = join(work, 'report.json');
    const before = await stats(sb.url);
    const res = await runCli(['export', 'conversions', '--from', '2026-05-17', '--to', '2026-05-19', '-o', out, '--report', report, '--api-key', LIVE_KEY], { env: { ...env(), MBUZZ_API_KEY: undefined } });
    expect(res.code).toBe(0);
    const sent = (await stats(sb.url)) - before;
    const r = read(report);
    expect(r).toMatchObject({ tool: 'mbuzz', command: 'export', exitCode: 0, outcome: 'ok', reason: null });
    expect(r.args).toContain('****');
    expect(JSON.stringify(r)).not.toContain(LIVE_KEY.slice(8));
    const d = r.datasets[0];
    const live = (from: string, to: string) => truthCount('conversions', { seed: 1, scale: 1, environment: 'live', from, to, now: NOW, dataStart: '2025-01-01' });
    expect(d.rows).toBe(live('2026-05-17', '2026-05-19'));
    expect(d.apiTotal).toBe(d.rows);
    for (const w of d.windows) {
      expect(w.apiTotal).toBe(live(w.from, w.to));
      expect(w.rows).toBe(w.apiTotal);
      expect(w.complete).toBe(true);
    }
    expect(d.windows.map((w: { from: string }) => w.from)[0]).toBe('2026-05-17');
    expect(d.windows.at(-1).to).toBe('2026-05-19');
    expect(d.requests).toBe(sent);
    expect(r.totals.requests).toBe(sent);
    expect(d.retries).toBe(0);
    expect(d.bytes).toBeGreaterThan(0);
    expect(d.files).toEqual([{ path: out, bytes: readFileSync(out).length, sha256: sha256(out), rows: d.rows }]);
    expect(Date.parse(r.finishedAt)).toBeGreaterThanOrEqual(Date.parse(r.startedAt));
    expect(readdirSync(work).sort()).toEqual(['conv.csv', 'report.json']);
  });

  it('on exit 6 (the API counts fewer rows than it sends): the reason is the error line, nothing at the target', async () => {
    const work = sub('fewer');
    const report = join(work, 'report.json');
    const res = await runCli(['export', 'conversions', '--from', '2026-05-19', '--to', '2026-05-19', '-o', join(work, 'c.ndjson'), '--report', report], { env: env(fewer.url) });
    expect(res.code).toBe(6);
    const r = read(report);
    expect(r).toMatchObject({ exitCode: 6, outcome: 'integrity' });
    expect(`mbuzz: ${r.reason}\n`).toBe(res.stderr);
    expect(r.datasets[0]).toMatchObject({ dataset: 'conversions', status: 'failed', rows: null, files: [] });
    expect(readdirSync(work)).toEqual(['report.json']);
  });

  it('on exit 5 (nothing listens): the retries by cause', async () => {
    const work = sub('refused');
    const report = join(work, 'report.json');
    // port 9 (discard) on this machine: nothing listens, the connection is refused
    const res = await runCli(['export', 'conversions', '--from', '2026-05-19', '--to', '2026-05-19', '--retries', '2', '--report', report], { env: env('http://127.0.0.1:9') });
    expect(res.code).toBe(5);
    const r = read(report);
    expect(r).toMatchObject({ exitCode: 5, outcome: 'server' });
    expect(r.datasets[0]).toMatchObject({ status: 'failed', requests: 3, retries: 2, retriesByCause: { network: 2 } });
    expect(r.totals.retriesByCause).toEqual({ network: 2 });
  });

  it('on a usage error found after the command line was read, before any request', async () => {
    const work = sub('usage');
    const report = join(work, 'report.json');
    const before = await stats(sb.url);
    const res = await runCli(['export', 'conversions', '--from', '2026-05-19', '--channel', 'emial', '--report', report], { env: env() });
    expect(res.code).toBe(2);
    expect(await stats(sb.url)).toBe(before);
    const r = read(report);
    expect(r).toMatchObject({ exitCode: 2, outcome: 'usage', datasets: [] });
    expect(r.reason).toContain('unknown channel "emial"');
  });

  it('masks a PostgreSQL password given as ?password= in -o, in the report and on stderr, even when the run stops at a usage error', async () => {
    const report = join(sub('pg-password'), 'report.json');
    const secret = 'PgSecret123-report';
    const target = `postgresql://u@127.0.0.1:1/db?password=${secret}&table=conv`;
    // a bad --channel stops the run before the URL is read
    const usage = await runCli(['export', 'conversions', '--from', '2026-05-19', '--channel', 'emial', '-o', target, '--report', report], { env: env() });
    expect(usage.code).toBe(2);
    const text = readFileSync(report, 'utf8');
    expect(text).toContain('?password=****');
    expect(text + usage.stderr).not.toContain(secret);
    // a dry run reads it and plans: the report goes to stderr
    const dry = await runCli(['export', 'conversions', '--from', '2026-05-19', '-o', target, '--dry-run', '--json', '--report', '-'], { env: env() });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain('?password=****');
    expect(dry.stderr + dry.stdout.toString()).not.toContain(secret);
  });

  it('refuses a report path that is a file the run writes or reads, and leaves that file as it was (exit 2, no request)', async () => {
    const work = sub('report-over');
    const out = join(work, 'out.csv');
    const state = join(work, 'state.json');
    writeFileSync(out, 'the user\'s file\n');
    writeFileSync(state, '{"not":"touched"}\n');
    const before = await stats(sb.url);
    for (const [args, message] of [
      [['--from', '2026-05-19', '-o', out, '--report', out], /is the output/],
      [['-o', join(work, 'parts'), '--partition-by', 'date', '--state', state, '--report', state], /is the --state file/],
      [['--from', '2026-05-19', '-o', join(work, 'parts'), '--partition-by', 'date', '--report', join(work, 'parts', '_manifest.json')], /inside the output directory/],
    ] as const) {
      const res = await runCli(['export', 'conversions', ...args], { env: env() });
      expect([res.code, res.stderr]).toEqual([2, expect.stringMatching(message)]);
    }
    expect(await stats(sb.url)).toBe(before);
    expect(readFileSync(out, 'utf8')).toBe('the user\'s file\n');
    expect(readFileSync(state, 'utf8')).toBe('{"not":"touched"}\n');
    expect(existsSync(join(work, 'parts', '_manifest.json'))).toBe(false);
  });

  it('on SIGTERM: exit 143, the windows completed so far', async () => {
    const work = sub('term');
    const report = join(work, 'report.json');
    const child = spawn(process.execPath, [BIN, 'export', 'conversions', '--from', '2026-03-01', '--to', '2026-05-19', '-o', join(work, 'c.ndjson'), '--report', report], {
      env: { PATH: process.env.PATH, ...env(slow.url) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const closed = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    const before = await stats(slow.url);
    // well under way: the first windows have been read and counted
    for (let i = 0; i < 100 && (await stats(slow.url)) < before + 10; i++) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    expect(await closed).toBe(143);
    expect(stderr.trim().split('\n').at(-1)).toBe('mbuzz: interrupted (SIGTERM)');
    const r = read(report);
    expect(r).toMatchObject({ exitCode: 143, outcome: 'terminated', reason: 'interrupted (SIGTERM)' });
    const d = r.datasets[0];
    expect(d.status).toBe('failed');
    const complete = d.windows.filter((x: { complete: boolean }) => x.complete);
    expect(complete.length).toBeGreaterThan(0);
    for (const w of complete) expect(w.rows).toBe(count(w.from, w.to));
  });

  it('with `-`: one line on stderr, the last, after the summary', async () => {
    const res = await runCli(['export', 'conversions', '--from', '2026-05-19', '--to', '2026-05-19', '--report', '-'], { env: env() });
    expect(res.code).toBe(0);
    const lines = res.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^mbuzz: [\d,]+ rows of conversions 2026-05-19 /);
    const r = JSON.parse(lines.at(-1)!);
    expect(r).toMatchObject({ exitCode: 0, datasets: [{ rows: count('2026-05-19', '2026-05-19') }] });
    expect(lines).toHaveLength(2);
  });
});

describe('--log-format json', () => {
  it('makes every stderr line one JSON object on success: warnings, --verbose requests, the summary, the report', async () => {
    const res = await runCli(['export', 'conversions', '--from', '2026-05-18', '--to', '2026-05-19', '-v', '--log-format', 'json', '--report', '-', '--api-key', TEST_KEY], { env: { ...env(), MBUZZ_API_KEY: undefined } });
    expect(res.code).toBe(0);
    const lines = jsonLines(res.stderr);
    expect(lines[0]).toMatchObject({ level: 'warning', msg: expect.stringContaining('--api-key puts the key where other processes can see it') });
    const requests = lines.filter((l) => l.event === 'request');
    expect(requests.length).toBeGreaterThan(0);
    for (const r of requests) expect(r).toMatchObject({ level: 'debug', method: 'GET', status: 200 });
    expect(lines.find((l) => l.event === 'summary')).toMatchObject({ level: 'info', rows: count('2026-05-18', '2026-05-19') });
    expect(lines.at(-1)).toMatchObject({ tool: 'mbuzz', exitCode: 0 });
    expect(res.stderr).not.toContain(TEST_KEY.slice(8));
  });

  it('makes the error line JSON too, on a failure found by commander, by mbuzz and by the server', async () => {
    for (const [args, code, url] of [
      [['--bogus'], 2, sb.url],
      [['--from', '2026-02-30'], 2, sb.url],
      [['--from', '2026-05-19', '--to', '2026-05-19'], 6, fewer.url],
    ] as const) {
      const res = await runCli(['export', 'conversions', '--log-format', 'json', ...args], { env: env(url) });
      expect(res.code).toBe(code);
      const lines = jsonLines(res.stderr);
      expect(lines.at(-1)).toMatchObject({ level: 'error', exitCode: code });
    }
  });

  it('keeps a key a server echoes back out of every line and out of the report', async () => {
    const key = 'sk_live_echo0123456789abcdef0123456789';
    const server = http.createServer((req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `bad key: ${req.headers.authorization}` }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const work = sub('echo');
      const report = join(work, 'report.json');
      const res = await runCli(['export', 'conversions', '--from', '2026-05-19', '--to', '2026-05-19', '--api-key', key, '-v', '--log-format', 'json', '--report', report], { env: { MBUZZ_BASE_URL: url } });
      expect(res.code).toBe(3);
      const lines = jsonLines(res.stderr);
      expect(lines.at(-1)).toMatchObject({ level: 'error', exitCode: 3 });
      const secret = key.slice(8);
      expect(res.stderr).not.toContain(secret);
      expect(readFileSync(report, 'utf8')).not.toContain(secret);
      expect(read(report).reason).toMatch(/^authentication failed \(401\)/);
    } finally {
      server.close();
    }
  });
});

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

describe.skipIf(!has('tmux'))('--log-format json on a terminal', () => {
  it('draws no spinner: every line on the terminal is JSON', async () => {
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', 'mbuzz-report', ...args], { encoding: 'utf8' });
    const q = (x: string) => `'${x.replace(/'/g, "'\\''")}'`;
    const cmd = [process.execPath, BIN, 'export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-20', '-o', join(dir.path, 'tty.ndjson'), '--log-format', 'json'].map(q).join(' ');
    const script = `export MBUZZ_BASE_URL=${q(slow.url)} MBUZZ_API_KEY=${TEST_KEY} MBUZZ_NOW=${NOW}; ${cmd}; echo EXIT $?; sleep 60`;
    tmux('new-session', '-d', '-s', 'json', '-x', '300', '-y', '40', 'sh', '-c', script);
    let screen = '';
    const seen = new Set<string>();
    try {
      for (let i = 0; i < 200 && !/^EXIT \d+/m.test(screen); i++) {
        await new Promise((r) => setTimeout(r, 100));
        // -J joins wrapped lines, so a long JSON line reads as one
        screen = tmux('capture-pane', '-p', '-J', '-t', 'json');
        for (const line of screen.split('\n')) if (line.trim() !== '') seen.add(line.trim());
      }
    } finally {
      spawnSync('tmux', ['-L', 'mbuzz-report', 'kill-server']);
    }
    expect(screen).toMatch(/^EXIT 0/m);
    const ours = [...seen].filter((l) => !l.startsWith('EXIT'));
    expect(ours.length).toBeGreaterThan(0);
    for (const line of ours) expect(() => JSON.parse(line), line).not.toThrow();
    expect(existsSync(join(dir.path, 'tty.ndjson'))).toBe(true);
  });
});
