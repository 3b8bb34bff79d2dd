import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { createProgress, formatDuration } from '../../../src/commands/export/progress.js';
import type { Env } from '../../../src/core/env.js';

function envWith(stderrIsTTY: boolean) {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (d) => (text += d));
  const env = { stderr, stderrIsTTY } as unknown as Env;
  return { env, text: () => text };
}

describe('progress on stderr', () => {
  it('shows a spinner with dataset, window, windows done, rows and rows/s when stderr is a terminal', async () => {
    const { env, text } = envWith(true);
    const p = createProgress(env, { enabled: true, label: 'conversions' });
    p.plan(4);
    p.rows(1500);
    await new Promise((r) => setTimeout(r, 120)); // renders are throttled to 10 a second
    p.windowDone('conversions 2026-04-01', 1500);
    await new Promise((r) => setTimeout(r, 120));
    p.rows(10);
    p.stop();
    expect(text()).toMatch(/conversions · conversions 2026-04-01 · windows 1\/4 · 1,5\d\d rows · [\d,]+ rows\/s · ETA/);
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
