import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, TEST_KEY, startSandbox, tempDir, type Sandbox } from './harness.js';

// Progress as a person sees it (issue 13.7): the export runs in a tmux pane, so stderr is a real
// pseudo-terminal, and the pane is read while it runs.

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', 'mbuzz-progress', ...args], { encoding: 'utf8' });
const FRAME = /conversions · (\S+) · windows (\d+)\/(\d+) · ([\d,]+) rows · [\d,]+ rows\/s/;

describe.skipIf(!has('tmux'))('progress in a real terminal', () => {
  let sb: Sandbox;
  const dir = tempDir('mbuzz-progress-');
  beforeAll(async () => {
    sb = await startSandbox(['--latency', '40']);
    // a tmux server exits with its last session; one that lives as long as the file avoids racing that exit
    spawnSync('tmux', ['-L', 'mbuzz-progress', 'new-session', '-d', '-s', 'keepalive', 'sleep', '3600']);
  });
  afterAll(async () => {
    spawnSync('tmux', ['-L', 'mbuzz-progress', 'kill-server']);
    await sb.stop();
    dir.cleanup();
  });

  /**
   * Runs mbuzz in a pane (its stderr a real terminal) under a shell that prints `PID n` first and
   * `EXIT code` last and then keeps the pane open; returns every distinct progress frame seen and
   * the pane's last text.
   */
  async function inPane(name: string, args: string[], until: (screen: string) => boolean): Promise<{ frames: string[]; screen: string }> {
    const q = (x: string) => `'${x.replace(/'/g, "'\\''")}'`;
    const cmd = [process.execPath, BIN, ...args].map(q).join(' ');
    const script = `export MBUZZ_BASE_URL=${q(sb.url)} MBUZZ_API_KEY=${TEST_KEY} MBUZZ_NOW=2026-05-20T12:00:00Z; ${cmd} & echo PID $!; wait $!; echo EXIT $?; sleep 60`;
    tmux('new-session', '-d', '-s', name, '-x', '200', '-y', '30', 'sh', '-c', script);
    const frames = new Set<string>();
    let screen = '';
    for (let i = 0; i < 200; i++) {
      await sleep(100);
      screen = tmux('capture-pane', '-p', '-S', '-', '-t', name);
      for (const line of screen.split('\n')) if (FRAME.test(line)) frames.add(line.trim());
      if (until(screen) || /^EXIT \d+/m.test(screen)) break;
    }
    return { frames: [...frames], screen };
  }

  it('shows the window once (no doubled dataset), windows done of planned, rows and rows/s', async () => {
    const out = join(dir.path, 'a.ndjson');
    const { frames, screen } = await inPane('first', ['export', 'conversions', '--from', '2026-03-01', '--to', '2026-03-10', '-o', out], (s) => /^EXIT/m.test(s));
    tmux('kill-session', '-t', 'first');
    expect(screen).toMatch(/^EXIT 0/m);
    expect(screen).toContain('rows of conversions 2026-03-01..2026-03-10');
    expect(frames.length).toBeGreaterThan(0);
    for (const f of frames) {
      expect(f).not.toContain('conversions · conversions');
      const [, window, done, planned] = FRAME.exec(f)!;
      expect(window === 'starting' || /^2026-03-\d\d/.test(window!)).toBe(true);
      expect(Number(done)).toBeLessThanOrEqual(Number(planned));
    }
  });

  it('a resumed run counts the windows it skipped as done from its first frame', async () => {
    const out = join(dir.path, 'b.ndjson');
    const args = ['export', 'conversions', '--from', '2025-09-01', '--to', '2026-04-30', '-o', out];
    // the first run is killed once some windows are written (kill -9: nothing cleans up)
    // ... once a checkpoint vouches for some windows
    const checkpoint = join(dir.path, '.b.ndjson.mbuzz-checkpoint.json');
    const vouched = () => {
      try {
        // windows from the first on whose rows the checkpoint's row count already covers
        const cp = JSON.parse(readFileSync(checkpoint, 'utf8')) as { rows: number; windows: { index: number; rows: number }[] };
        let covered = 0;
        let n = 0;
        for (const w of [...cp.windows].sort((a, b) => a.index - b.index)) {
          if (w.index !== n || covered + w.rows > cp.rows) break;
          covered += w.rows;
          n += 1;
        }
        return n >= 2;
      } catch {
        return false; // not written yet, or being replaced
      }
    };
    const killed = await inPane('killed', args, () => vouched());
    expect(killed.screen, 'still running when killed').not.toMatch(/^EXIT/m);
    process.kill(Number(/^PID (\d+)/m.exec(killed.screen)![1]), 'SIGKILL');
    await sleep(300);
    tmux('kill-session', '-t', 'killed');
    const { frames, screen } = await inPane('resumed', [...args, '--resume'], (s) => /^EXIT/m.test(s));
    tmux('kill-session', '-t', 'resumed');
    const skipped = Number(/resuming: [\d,]+ rows already written, (\d+) windows skipped/.exec(screen)?.[1]);
    expect(skipped).toBeGreaterThan(0);
    expect(frames.length).toBeGreaterThan(0);
    for (const f of frames) expect(Number(FRAME.exec(f)![2])).toBeGreaterThanOrEqual(skipped);
  });
});
