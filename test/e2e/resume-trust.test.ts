import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sealOf, type Checkpoint } from '../../src/pipeline/checkpoint.js';
import { BIN, LIVE_KEY, runCli, useSandbox } from './harness.js';

// Issue 9.1: --resume never trusts a checkpoint that does not match its partial file. Each case
// interrupts a real export with SIGTERM (which keeps a checkpoint), damages what it left the way
// a user or a second run could, and runs --resume: the result is the uninterrupted run's bytes,
// either continued or started over with one warning line, and never a file padded with NUL bytes.

// Parquet checkpoints after each 25,000-row group, so its run is longer
const range = (name: string) => ['--from', '2026-03-01', '--to', name.endsWith('.parquet') ? '2026-03-08' : '2026-03-04'];
const WARNING = /^mbuzz: warning: the checkpoint beside \S+ cannot be trusted \((.+)\): starting over$/m;

describe('--resume checks the checkpoint against its partial file', () => {
  // latency stretches a run to a few seconds so a signal lands in the middle of it (checkpoints
  // are saved once a second, so the run must outlast the second save by a margin)
  const { sb, dir } = useSandbox(['--latency', '40', '--tie-order', 'per-query']);
  const reference: Record<string, Buffer> = {};
  const env = () => ({ MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: LIVE_KEY });
  const requests = async () => ((await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as { requests: number }).requests;
  const hidden = (name: string) => ({
    checkpoint: join(dir.path, `.${name}.mbuzz-checkpoint.json`),
    partial: join(dir.path, `.${name}.mbuzz-partial`),
  });
  const args = (name: string) => ['export', 'conversions', ...range(name), '-o', join(dir.path, name)];

  beforeAll(async () => {
    for (const format of ['ndjson', 'parquet']) {
      const r = await runCli([...args(`reference.${format}`), '-q'], { env: env() });
      expect(r.code, r.stderr).toBe(0);
      reference[format] = readFileSync(join(dir.path, `reference.${format}`));
    }
  });

  /** Starts an export; resolves once `ready` holds (polled), with a way to signal it and its exit. */
  async function start(name: string, ready: () => Promise<boolean> | boolean) {
    const child = spawn(process.execPath, [BIN, ...args(name), '-q'], { env: { PATH: process.env.PATH, ...env() }, stdio: 'ignore' });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    for (let i = 0; i < 1500 && child.exitCode === null && !(await ready()); i++) await new Promise((r) => setTimeout(r, 10));
    expect(child.exitCode, 'the run ended before it could be interrupted').toBeNull();
    return { kill: async (signal: NodeJS.Signals) => (child.kill(signal), await exited) };
  }

  /** A run stopped by SIGTERM once it has saved a checkpoint with at least one finished window. */
  async function interrupted(name: string): Promise<Checkpoint> {
    const { checkpoint } = hidden(name);
    const saved = () => (existsSync(checkpoint) ? (JSON.parse(readFileSync(checkpoint, 'utf8')) as Checkpoint) : undefined);
    const run = await start(name, () => (saved()?.windows.length ?? 0) > 0);
    await run.kill('SIGTERM');
    expect(existsSync(checkpoint)).toBe(true);
    return JSON.parse(readFileSync(checkpoint, 'utf8')) as Checkpoint;
  }

  /** --resume: exit 0 and the reference bytes (so no NUL padding); returns stderr. */
  async function resumeToReference(name: string, format = 'ndjson'): Promise<string> {
    const r = await runCli([...args(name), '--resume'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const out = readFileSync(join(dir.path, name));
    if (format !== 'parquet') expect(out.includes(0), 'NUL bytes in the output').toBe(false);
    expect(out.equals(reference[format]!)).toBe(true);
    expect(readdirSync(dir.path).filter((f) => f.startsWith(`.${name}`))).toEqual([]);
    return r.stderr;
  }

  it('an untouched checkpoint is continued, not started over', async () => {
    const cp = await interrupted('intact.ndjson');
    const stderr = await resumeToReference('intact.ndjson');
    expect(stderr).toContain(`mbuzz: resuming: ${cp.rows.toLocaleString('en-US')} rows already written`);
    expect(stderr).not.toMatch(WARNING);
  });

  it('SIGTERM, then a plain re-run killed before it saved a checkpoint, then --resume: the whole file', async () => {
    const name = 'rerun.ndjson';
    await interrupted(name);
    // the plain re-run discards the earlier progress; kill -9 it as soon as it is sending requests
    const before = await requests();
    const rerun = await start(name, async () => (await requests()) > before);
    await rerun.kill('SIGKILL');
    // whatever is left must agree with itself: no checkpoint outlives the bytes it described
    const { checkpoint, partial } = hidden(name);
    if (existsSync(checkpoint)) expect(statSync(partial).size).toBeGreaterThanOrEqual((JSON.parse(readFileSync(checkpoint, 'utf8')) as Checkpoint).bytes);
    await resumeToReference(name);
  });

  it('a partial file cut shorter than the checkpoint says: starts over with a warning', async () => {
    const name = 'truncated.ndjson';
    const cp = await interrupted(name);
    truncateSync(hidden(name).partial, cp.bytes - 1000);
    const stderr = await resumeToReference(name);
    expect(stderr.match(WARNING)?.[1]).toBe(`its partial file has ${cp.bytes - 1000} bytes, fewer than the ${cp.bytes} it records`);
  });

  it('a partial file whose bytes changed (same length, checkpoint intact): the digest catches it', async () => {
    const name = 'changed.ndjson';
    const cp = await interrupted(name);
    const { partial } = hidden(name);
    const bytes = readFileSync(partial);
    bytes[Math.floor(cp.bytes / 2)] = bytes[Math.floor(cp.bytes / 2)] === 0x41 ? 0x42 : 0x41;
    writeFileSync(partial, bytes);
    const stderr = await resumeToReference(name);
    expect(stderr.match(WARNING)?.[1]).toBe(`the first ${cp.bytes} bytes of its partial file are not the ones it records`);
  });

  const edits: [string, (cp: Checkpoint) => void][] = [
    ['rows', (cp) => (cp.rows -= 5)],
    ['bytes', (cp) => (cp.bytes -= 100)],
    ['sha256', (cp) => (cp.sha256 = '0'.repeat(64))],
    ['windows', (cp) => (cp.windows[0]!.rows += 1)],
  ];
  for (const [field, edit] of edits) {
    it(`a checkpoint whose ${field} was edited by hand: starts over with a warning`, async () => {
      const name = `edited-${field}.ndjson`;
      const cp = await interrupted(name);
      edit(cp);
      writeFileSync(hidden(name).checkpoint, JSON.stringify(cp));
      const stderr = await resumeToReference(name);
      expect(stderr.match(WARNING)?.[1]).toBe('it was edited or damaged (its seal does not match)');
    });
  }

  it('a forged checkpoint (more bytes, seal recomputed): the partial file is checked, not the seal alone', async () => {
    const name = 'forged.ndjson';
    const cp = await interrupted(name);
    const size = statSync(hidden(name).partial).size;
    const { seal: _seal, ...body } = { ...cp, bytes: size + 4096 };
    writeFileSync(hidden(name).checkpoint, JSON.stringify({ ...body, seal: sealOf(body) }));
    const stderr = await resumeToReference(name);
    expect(stderr.match(WARNING)?.[1]).toBe(`its partial file has ${size} bytes, fewer than the ${size + 4096} it records`);
  });

  it('parquet: a writer-state file that changed: starts over with a warning', async () => {
    const name = 'state.parquet';
    const cp = await interrupted(name);
    expect(cp.writerState).toBeDefined();
    const file = join(dir.path, cp.writerState!);
    const state = readFileSync(file);
    state[state.length - 1] ^= 0xff;
    writeFileSync(file, state);
    const stderr = await resumeToReference(name, 'parquet');
    expect(stderr.match(WARNING)?.[1]).toBe(`its writer state ${cp.writerState} is not the one it records`);
  });
});
