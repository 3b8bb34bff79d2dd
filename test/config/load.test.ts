import { afterAll, describe, expect, it } from 'vitest';
import { configSpec } from '../../src/providers/registry.js';

const SPEC = configSpec();
import { chmodSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';

// Real directories: a parent, a project below it, and a home with a user config directory.

const root = realpathSync(mkdtempSync(join(tmpdir(), 'mbuzz-load-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function layout(): { parent: string; cwd: string; home: string; userDir: string; marker: string } {
  const parent = join(root, `t${n++}`);
  const cwd = join(parent, 'proj');
  const home = join(parent, 'home');
  const userDir = join(home, '.config', 'mbuzz');
  mkdirSync(cwd, { recursive: true, mode: 0o700 });
  mkdirSync(userDir, { recursive: true, mode: 0o700 });
  return { parent, cwd, home, userDir, marker: join(parent, 'ran') };
}
const write = (file: string, text: string, mode = 0o600) => {
  writeFileSync(file, text, { mode });
  chmodSync(file, mode);
};
/** A JavaScript config that leaves a marker file when it runs. */
const codeConfig = (marker: string) => `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default { profiles: { js: { format: 'csv' } } };\n`;

describe('loadConfig: where it looks', () => {
  it('ignores a config in a parent directory and takes the user config directory instead', async () => {
    const t = layout();
    write(join(t.parent, '.mbuzzrc.json'), '{"profile": "evil", "profiles": {"evil": {"base_url": "https://attacker.invalid"}}}');
    write(join(t.userDir, 'config.yaml'), 'profile: prod\nprofiles:\n  prod:\n    base_url: https://mbuzz.co\n');
    const loaded = await loadConfig({ spec: SPEC, cwd: t.cwd, home: t.home, vars: {} });
    expect(loaded.file).toBe(join(t.userDir, 'config.yaml'));
    expect(loaded.source).toBe('user');
    expect(loaded.config.profiles.prod?.base_url).toBe('https://mbuzz.co');
    expect(loaded.searched.every((f) => f.startsWith(`${t.cwd}/`) || f.startsWith(`${t.userDir}/`))).toBe(true);
  });

  it('takes the project directory before the user config directory', async () => {
    const t = layout();
    write(join(t.cwd, '.mbuzzrc.yml'), 'profiles:\n  here: {}\n');
    write(join(t.userDir, 'config.json'), '{"profiles": {"global": {}}}');
    const loaded = await loadConfig({ spec: SPEC, cwd: t.cwd, home: t.home, vars: {} });
    expect([loaded.file, loaded.source, Object.keys(loaded.config.profiles)]).toEqual([join(t.cwd, '.mbuzzrc.yml'), 'project', ['here']]);
  });

  it('goes past a package.json without an "mbuzz" key, and uses one with it', async () => {
    const t = layout();
    write(join(t.cwd, 'package.json'), '{"name": "x"}');
    write(join(t.cwd, '.mbuzzrc'), 'profiles:\n  rc: {}\n');
    expect((await loadConfig({ spec: SPEC, cwd: t.cwd, home: t.home, vars: {} })).file).toBe(join(t.cwd, '.mbuzzrc'));
    write(join(t.cwd, 'package.json'), '{"name": "x", "mbuzz": {"profiles": {"pkg": {}}}}');
    expect(Object.keys((await loadConfig({ spec: SPEC, cwd: t.cwd, home: t.home, vars: {} })).config.profiles)).toEqual(['pkg']);
  });

  it('honours XDG_CONFIG_HOME for the user config directory', async () => {
    const t = layout();
    const xdg = join(t.parent, 'xdg');
    mkdirSync(join(xdg, 'mbuzz'), { recursive: true, mode: 0o700 });
    write(join(xdg, 'mbuzz', 'config.yml'), 'profiles:\n  x: {}\n');
    write(join(t.userDir, 'config.yml'), 'profiles:\n  home: {}\n');
    expect((await loadConfig({ spec: SPEC, cwd: t.cwd, home: t.home, vars: { XDG_CONFIG_HOME: xdg } })).file).toBe(join(xdg, 'mbuzz', 'config.yml'));
  });
});

describe('loadConfig: code runs only from a named file', () => {
  it('does not run .mbuzzrc.mjs in a parent, nor in the project directory, and says so for the latter', async () => {
    const t = layout();
    write(join(t.parent, '.mbuzzrc.js'), codeConfig(t.marker));
    write(join(t.cwd, '.mbuzzrc.mjs'), codeConfig(t.marker));
    const loaded = await loadConfig({ spec: SPEC, cwd: t.cwd, home: t.home, vars: {} });
    expect(existsSync(t.marker)).toBe(false);
    expect(loaded.file).toBeUndefined();
    expect(loaded.warnings).toEqual([`${join(t.cwd, '.mbuzzrc.mjs')} not loaded: mbuzz runs JavaScript config only from a file named with --config or MBUZZ_CONFIG`]);
  });

  it.each(['--config', 'MBUZZ_CONFIG'] as const)('runs a JavaScript config named by %s', async (how) => {
    const t = layout();
    const file = join(t.cwd, 'team.mjs');
    write(file, codeConfig(t.marker));
    const loaded = await loadConfig({ spec: SPEC, cwd: t.cwd, home: t.home, ...(how === '--config' ? { vars: {}, flag: 'team.mjs' } : { vars: { MBUZZ_CONFIG: file } }) });
    expect(existsSync(t.marker)).toBe(true);
    expect([loaded.file, loaded.source, loaded.config.profiles.js?.format]).toEqual([file, how, 'csv']);
  });

  it('refuses to run a named JavaScript config that others can write, before it runs', async () => {
    const t = layout();
    const file = join(t.cwd, 'team.mjs');
    write(file, codeConfig(t.marker), 0o664);
    await expect(loadConfig({ spec: SPEC, cwd: t.cwd, home: t.home, vars: {}, flag: file })).rejects.toThrow(
      `refusing to run config ${file}: it is writable by its group (fix: chmod go-w ${file})`,
    );
    expect(existsSync(t.marker)).toBe(false);
  });

  it('--config wins over MBUZZ_CONFIG; a named file that is missing is an error, not a search', async () => {
    const t = layout();
    write(join(t.cwd, 'a.yaml'), 'profiles:\n  a: {}\n');
    write(join(t.cwd, 'b.yaml'), 'profiles:\n  b: {}\n');
    write(join(t.cwd, '.mbuzzrc.yaml'), 'profiles:\n  searched: {}\n');
    expect((await loadConfig({ spec: SPEC, cwd: t.cwd, home: t.home, vars: { MBUZZ_CONFIG: 'b.yaml' }, flag: 'a.yaml' })).file).toBe(join(t.cwd, 'a.yaml'));
    await expect(loadConfig({ spec: SPEC, cwd: t.cwd, home: t.home, vars: {}, flag: 'gone.mjs' })).rejects.toThrow(`config file not found: ${join(t.cwd, 'gone.mjs')}`);
    await expect(loadConfig({ spec: SPEC, cwd: t.cwd, home: t.home, vars: { MBUZZ_CONFIG: 'gone.yaml' } })).rejects.toThrow(`config file not found: ${join(t.cwd, 'gone.yaml')}`);
  });
});

describe('loadConfig: a file others could write may not steer the key', () => {
  it.each([
    ['base_url', 'base_url: https://attacker.invalid'],
    ['api_key', 'api_key: sk_live_0000000000000000'],
    ['password_env', 'password_env: HOME'],
  ])('refuses %s in a group-writable file', async (key, line) => {
    const t = layout();
    const file = join(t.userDir, 'config.yaml');
    write(file, `profiles:\n  p:\n    ${line}\n`, 0o620);
    await expect(loadConfig({ spec: SPEC, cwd: t.cwd, home: t.home, vars: {} })).rejects.toThrow(
      `refusing config ${file}: it sets profiles.p.${key}, but it is writable by its group (fix: chmod go-w ${file})`,
    );
  });

  it('accepts a group-writable file that only sets output settings', async () => {
    const t = layout();
    write(join(t.cwd, '.mbuzzrc.yaml'), 'profiles:\n  p:\n    format: csv\n    channels: [email]\n', 0o666);
    expect((await loadConfig({ spec: SPEC, cwd: t.cwd, home: t.home, vars: {} })).config.profiles.p?.format).toBe('csv');
  });

  it('counts the other steering keys in the message', async () => {
    const t = layout();
    const file = join(t.cwd, '.mbuzzrc.yaml');
    write(file, 'profiles:\n  p:\n    base_url: https://x.invalid\n    api_key_env: K\n  q:\n    api_secret: s\n', 0o606);
    await expect(loadConfig({ spec: SPEC, cwd: t.cwd, home: t.home, vars: {} })).rejects.toThrow(`refusing config ${file}: it sets profiles.p.base_url (and 2 more), but it is writable by others`);
  });
});

describe('loadConfig: unknown keys', () => {
  it('warns with the nearest known key', async () => {
    const t = layout();
    const file = join(t.cwd, '.mbuzzrc.yaml');
    write(file, 'porfiles: {}\nprofiles:\n  p:\n    basurl: https://x.invalid\n    colour: blue\n');
    expect((await loadConfig({ spec: SPEC, cwd: t.cwd, home: t.home, vars: {} })).warnings).toEqual([
      `unknown key \`porfiles\` in ${file} (ignored; did you mean profiles?)`,
      `unknown key \`profiles.p.basurl\` in ${file} (ignored; did you mean base_url?)`,
      `unknown key \`profiles.p.colour\` in ${file} (ignored)`,
    ]);
  });
});
