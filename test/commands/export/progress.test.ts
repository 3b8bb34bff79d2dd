import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { createProgress, formatDuration } from '../../../src/commands/export/progress.js';
import type { Env } from '../../../src/core/env.js';

/** A terminal-or-not stderr and a clock the test moves. */
function envWith(stderrIsTTY: boolean) {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (d) => (text += d));
  const clock = { t: 0 };
  // the wall clock is pinned (as MBUZZ_NOW does): progress must run on elapsed time
  const env = { stderr, stderrIsTTY, now: () => new Date('2026-05-20T12:00:00Z') } as unknown as Env;
  return { env, text: () => text, advance: (ms: number) => void (clock.t += ms), elapsed: () => clock.t };
}

/** ora draws on its own timer (every 80 ms): wait for it to draw what was set. */
const frame = () => new Promise((r) => setTimeout(r, 150));

/** The spinner's last frame. */
const lastFrame = (text: string) => text.split(/\r|\n|\u001b\[[0-9;]*[A-Za-z]/).filter((s) => s.includes('windows')).at(-1) ?? '';

describe('progress on stderr', () => {
  it('shows dataset, window (once), windows done, rows, rows/s and ETA when stderr is a terminal', async () => {
    const { env, text, advance, elapsed } = envWith(true);
    const p = createProgress(env, { enabled: true, label: 'conversions', elapsed });
    p.plan(4);
    advance(1000);
    p.rows(1500);
    advance(200); // renders are throttled to 10 a second
    p.windowDone('conversions 2026-04-01', 1500);
    await p.ready; // ora loads when the spinner first draws
    await frame();
    p.stop();
    expect(lastFrame(text())).toMatch(/conversions · 2026-04-01 · windows 1\/4 · 1,500 rows · 1,250 rows\/s · ETA 3\.6s$/);
    expect(text()).not.toContain('conversions · conversions');
  });

  it('bases the ETA on the rows the API holds once they are known, at this run\'s pace', async () => {
    const { env, text, advance, elapsed } = envWith(true);
    const p = createProgress(env, { enabled: true, label: 'funnel', elapsed });
    p.plan(50); // planning requests took time before the first row: they do not count as windows of work
    p.expect!(100_000);
    advance(2000);
    p.rows(10_000);
    advance(200);
    p.windowDone('funnel 2026-04-01', 10_000);
    await p.ready;
    await frame();
    p.stop();
    // 10,000 rows in 2.2 s: 90,000 left at that pace is 19.8 s
    expect(lastFrame(text())).toMatch(/windows 1\/50 · 10,000 rows · 4,545 rows\/s · ETA 19\.8s$/);
  });

  it('a resumed run counts the windows and rows of the run it continues as done, but not in its pace', async () => {
    const { env, text, advance, elapsed } = envWith(true);
    const p = createProgress(env, { enabled: true, label: 'spend', elapsed });
    p.plan(10);
    p.resumed(6, 6_000);
    p.expect!(10_000);
    advance(1000);
    p.rows(1_000);
    advance(200);
    p.windowDone('spend 2026-04-07', 1_000);
    await p.ready;
    await frame();
    p.stop();
    // 1,000 rows this run in 1.2 s; 3,000 left
    expect(lastFrame(text())).toMatch(/spend · 2026-04-07 · windows 7\/10 · 7,000 rows · 833 rows\/s · ETA 3\.6s$/);
    expect(p.windowsDone).toBe(7);
  });

  it('writes nothing when stderr is not a terminal (or progress is off)', () => {
    for (const [tty, enabled] of [
      [false, true],
      [true, false],
    ] as const) {
      const { env, text } = envWith(tty);
      const p = createProgress(env, { enabled, label: 'spend' });
      p.plan(1);
      p.rows(10);
      p.windowDone('spend 2026-04-01', 10);
      p.stop();
      expect(text()).toBe('');
    }
  });

  it('formats durations for the summary and ETA', () => {
    expect(formatDuration(3.21)).toBe('3.2s');
    expect(formatDuration(125)).toBe('2m05s');
    expect(formatDuration(3 * 3600 + 60)).toBe('3h01m');
  });
});
