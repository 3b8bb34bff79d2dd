import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, tempDir } from './harness.js';

// Completion in real shells (issue 13.6): each shell runs in a tmux pane, the script is loaded the
// way the README says, `mbuzz export mixpanel:ev` is typed and Tab pressed, and the pane shows
// what the shell completed. bash splits words at ':' (COMP_WORDBREAKS), which used to make
// `provider:dataset` names complete to nothing.

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const dir = tempDir('mbuzz-completion-');
const binDir = join(dir.path, 'bin');
mkdirSync(binDir);
symlinkSync(BIN, join(binDir, 'mbuzz'));
// One session lives as long as the file does: a tmux server exits with its last session, and a
// new-session racing that exit fails.
beforeAll(() => {
  if (has('tmux')) spawnSync('tmux', ['-L', 'mbuzz-test', 'new-session', '-d', '-s', 'keepalive', 'sleep', '3600']);
});
afterAll(() => {
  spawnSync('tmux', ['-L', 'mbuzz-test', 'kill-server']);
  dir.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', 'mbuzz-test', ...args], { encoding: 'utf8' });

/** Starts `shell` in a fresh pane with mbuzz on PATH, runs `setup`, types `typed`, presses Tab and returns the line shown. */
async function complete(base: string, shell: string[], setup: string, typed: string): Promise<string> {
  // a fresh session name each time: a session left by an interrupted run must not collide
  const name = `${base}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const rc = join(dir.path, `${name}.rc`);
  writeFileSync(rc, `${setup}\n`);
  // env(1), not tmux -e: the pane's shell must see this PATH whatever the tmux server's environment
  tmux('new-session', '-d', '-s', name, '-x', '220', '-y', '20', 'env', `PATH=${binDir}:${process.env.PATH}`, `HOME=${dir.path}`, ...shell);
  await sleep(800);
  try {
    return await typeAndRead(name, rc, typed);
  } finally {
    spawnSync('tmux', ['-L', 'mbuzz-test', 'kill-session', '-t', name]);
  }
}

async function typeAndRead(name: string, rc: string, typed: string): Promise<string> {
  tmux('send-keys', '-t', name, `source ${rc}`, 'Enter');
  await sleep(1500); // the completion script runs mbuzz once to be generated
  tmux('send-keys', '-t', name, 'clear', 'Enter');
  await sleep(300);
  tmux('send-keys', '-t', name, typed, 'Tab');
  // the completion runs no process of ours, but a loaded machine can be slow to redraw
  let shown = '';
  for (let i = 0; i < 25; i++) {
    await sleep(200);
    shown = tmux('capture-pane', '-p', '-t', name);
    if (!shown.split('\n').some((l) => l.trimEnd().endsWith(typed))) break;
  }
  return shown;
}

const lineWith = (pane: string, start: string) => pane.split('\n').find((l) => l.includes(start))?.trim() ?? '';

describe.skipIf(!has('tmux'))('shell completion in real shells (tmux)', () => {
  const cases = [
    ['mbuzz export mixpanel:ev', 'mbuzz export mixpanel:event'], // events, events-top, event-names...: the shared prefix
    ['mbuzz export atribu:c', 'mbuzz export atribu:customers'],
    ['mbuzz export attributionhub:c', 'mbuzz export attributionhub:conversions'],
    ['mbuzz export conversions --for', 'mbuzz export conversions --format'],
    ['mbuzz sch', 'mbuzz schema'],
  ] as const;

  describe.skipIf(!has('bash'))('bash', () => {
    it.each(cases)('%s<Tab> -> %s', async (typed, want) => {
      const pane = await complete(`bash${cases.findIndex((c) => c[0] === typed)}`, ['bash', '--norc', '--noprofile'], 'eval "$(mbuzz completion bash)"', typed);
      expect(lineWith(pane, 'mbuzz ')).toContain(want);
    });
  });

  describe.skipIf(!has('zsh'))('zsh', () => {
    it.each(cases)('%s<Tab> -> %s', async (typed, want) => {
      const pane = await complete(`zsh${cases.findIndex((c) => c[0] === typed)}`, ['zsh', '-f'], 'autoload -U compinit && compinit -u\nsource <(mbuzz completion zsh)', typed);
      expect(lineWith(pane, 'mbuzz ')).toContain(want);
    });
  });

  describe.skipIf(!has('fish'))('fish', () => {
    it.each(cases)('%s<Tab> -> %s', async (typed, want) => {
      const pane = await complete(`fish${cases.findIndex((c) => c[0] === typed)}`, ['fish', '--no-config'], 'mbuzz completion fish | source', typed);
      expect(lineWith(pane, 'mbuzz ')).toContain(want);
    });
  });
});
