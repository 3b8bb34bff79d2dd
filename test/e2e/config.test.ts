import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { LIVE_KEY, parseNdjson, runCli, TEST_KEY, useSandbox } from './harness.js';

// Issue 9.14 and 13.8 through the real CLI: where config comes from, who may have written it,
// which code runs, and what `mbuzz profiles --json` reports. The "attacker" is a real HTTP server
// on 127.0.0.1 that counts every request it gets: a key steered to it would arrive there.

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

describe('config files: search, trust and code', () => {
  const { sb, dir } = useSandbox();
  let attacker: Server;
  let attackerUrl = '';
  const seen: string[] = [];
  beforeAll(async () => {
    attacker = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(500).end();
    });
    await new Promise<void>((res) => attacker.listen(0, '127.0.0.1', res));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((res) => attacker.close(() => res())));

  let n = 0;
  /** base/shared/work is the cwd; base/home is HOME, with the user's own config pointing at the sandbox. */
  function layout(): { shared: string; work: string; home: string; userConfig: string; marker: string } {
    const base = join(dir.path, `l${n++}`);
    const shared = join(base, 'shared');
    const work = join(shared, 'work');
    const home = join(base, 'home');
    mkdirSync(work, { recursive: true });
    mkdirSync(join(home, '.config', 'mbuzz'), { recursive: true });
    const userConfig = join(home, '.config', 'mbuzz', 'config.yaml');
    writeFileSync(userConfig, `profile: prod\nprofiles:\n  prod:\n    base_url: ${sb.url}\n    api_key_env: MBUZZ_PROD_KEY\n`, { mode: 0o600 });
    return { shared, work, home, userConfig, marker: join(base, 'code-ran') };
  }
  const oneDay = ['export', 'spend', '--from', '2026-03-01', '--to', '2026-03-01', '--quiet'];
  const codeConfig = (marker: string) => `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default { profiles: { fromjs: { format: 'csv' } } };\n`;

  it('a .mbuzzrc.json in a parent directory does not receive the key: the user config is used', async () => {
    const t = layout();
    writeFileSync(join(t.shared, '.mbuzzrc.json'), JSON.stringify({ profile: 'prod', profiles: { prod: { base_url: attackerUrl, api_key_env: 'MBUZZ_PROD_KEY' } } }), { mode: 0o644 });
    const r = await runCli(oneDay, { cwd: t.work, env: { HOME: t.home, MBUZZ_PROD_KEY: LIVE_KEY } });
    expect(r.code, r.stderr).toBe(0);
    expect(parseNdjson(r.stdout).length).toBeGreaterThan(0);
    expect(seen).toEqual([]);
  });

  it('a .mbuzzrc.js in a parent directory never runs, for profiles or export', async () => {
    const t = layout();
    writeFileSync(join(t.shared, '.mbuzzrc.js'), codeConfig(t.marker));
    writeFileSync(join(t.shared, 'mbuzz.config.mjs'), codeConfig(t.marker));
    const p = await runCli(['profiles'], { cwd: t.work, env: { HOME: t.home } });
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout.toString()).toContain(`config: ${t.userConfig} (found in the user config directory)`);
    const e = await runCli(oneDay, { cwd: t.work, env: { HOME: t.home, MBUZZ_PROD_KEY: TEST_KEY } });
    expect(e.code, e.stderr).toBe(0);
    expect(existsSync(t.marker)).toBe(false);
  });

  it('a .mbuzzrc.mjs in the project directory is named in a warning, not run', async () => {
    const t = layout();
    const file = join(t.work, '.mbuzzrc.mjs');
    writeFileSync(file, codeConfig(t.marker));
    const p = await runCli(['profiles'], { cwd: t.work, env: { HOME: t.home } });
    expect(p.code).toBe(0);
    expect(p.stderr).toBe(`mbuzz: warning: ${file} not loaded: mbuzz runs JavaScript config only from a file named with --config or MBUZZ_CONFIG\n`);
    expect(existsSync(t.marker)).toBe(false);
  });

  it.each(['--config', 'MBUZZ_CONFIG'])('a JavaScript config named by %s runs, for profiles and export', async (how) => {
    const t = layout();
    const file = join(t.work, 'team.mjs');
    writeFileSync(file, codeConfig(t.marker), { mode: 0o644 });
    const named = (args: string[]) => (how === '--config' ? { args: [...args, '--config', 'team.mjs'], env: {} } : { args, env: { MBUZZ_CONFIG: file } });
    const p = named(['profiles']);
    const r = await runCli(p.args, { cwd: t.work, env: { HOME: t.home, ...p.env } });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(t.marker)).toBe(true);
    expect(r.stdout.toString()).toBe(`config: ${file} (named by ${how})\n  fromjs  provider=mbuzz\n      format=csv\n`);
    const e = named([...oneDay, '--profile', 'fromjs']);
    const x = await runCli(e.args, { cwd: t.work, env: { HOME: t.home, MBUZZ_BASE_URL: sb.url, MBUZZ_API_KEY: TEST_KEY, ...e.env } });
    expect(x.code, x.stderr).toBe(0);
    expect(x.stdout.toString()).toMatch(/^spend_date,channel,/); // the JS profile's format
  });

  it('--config FILE on export replaces the search (the project file is not read)', async () => {
    const t = layout();
    writeFileSync(join(t.work, '.mbuzzrc.yaml'), 'profile: broken\nprofiles:\n  broken:\n    format: xml\n');
    const named = join(t.shared, 'ci.yaml');
    writeFileSync(named, `profile: ci\nprofiles:\n  ci:\n    base_url: ${sb.url}\n    api_key_env: CI_KEY\n    format: csv\n`, { mode: 0o600 });
    const r = await runCli([...oneDay, '--config', named], { cwd: t.work, env: { HOME: t.home, CI_KEY: TEST_KEY } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.toString()).toMatch(/^spend_date,channel,/);
  });

  it('a group-writable JavaScript config is refused before it runs, even when named', async () => {
    const t = layout();
    const file = join(t.work, 'team.mjs');
    writeFileSync(file, codeConfig(t.marker));
    chmodSync(file, 0o664);
    const r = await runCli(['profiles', '--config', file], { cwd: t.work, env: { HOME: t.home } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mbuzz: refusing to run config ${file}: it is writable by its group (fix: chmod go-w ${file})\n`);
    expect(existsSync(t.marker)).toBe(false);
  });

  it('a file of yours in a world-writable directory with the sticky bit (as /tmp) is accepted', async () => {
    const t = layout();
    chmodSync(t.work, 0o1777);
    writeFileSync(join(t.work, '.mbuzzrc.yaml'), `profile: here\nprofiles:\n  here:\n    base_url: ${sb.url}\n`, { mode: 0o644 });
    const r = await runCli(oneDay, { cwd: t.work, env: { HOME: t.home, MBUZZ_API_KEY: TEST_KEY } });
    expect(r.code, r.stderr).toBe(0);
    chmodSync(t.work, 0o777);
    const refused = await runCli(oneDay, { cwd: t.work, env: { HOME: t.home, MBUZZ_API_KEY: TEST_KEY } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`mbuzz: refusing config ${join(t.work, '.mbuzzrc.yaml')}: it sets profiles.here.base_url, but its directory ${t.work} is writable by group and others (fix: chmod go-w ${t.work}, or move the file)\n`);
  });

  it.skipIf(!isRoot)('a config owned by another user that sets base_url is refused, for export and profiles (needs root to chown)', async () => {
    const t = layout();
    const file = join(t.work, '.mbuzzrc.yaml');
    writeFileSync(file, `profile: evil\nprofiles:\n  evil:\n    base_url: ${attackerUrl}\n`, { mode: 0o644 });
    chownSync(file, NOBODY, NOBODY);
    const want = `mbuzz: refusing config ${file}: it sets profiles.evil.base_url, but it is owned by uid ${NOBODY}, not you (fix: chown 0 ${file}, or use a file of your own)\n`;
    for (const args of [oneDay, ['profiles']]) {
      const r = await runCli(args, { cwd: t.work, env: { HOME: t.home, MBUZZ_API_KEY: LIVE_KEY } });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(want);
    }
    expect(seen).toEqual([]);
  });

  it('honours XDG_CONFIG_HOME for the user config directory', async () => {
    const t = layout();
    const xdg = join(t.shared, 'xdg');
    mkdirSync(join(xdg, 'mbuzz'), { recursive: true });
    writeFileSync(join(xdg, 'mbuzz', 'config.json'), JSON.stringify({ profiles: { x: { format: 'csv' } } }));
    const r = await runCli(['profiles'], { cwd: t.work, env: { HOME: t.home, XDG_CONFIG_HOME: xdg } });
    expect(r.stdout.toString()).toBe(`config: ${join(xdg, 'mbuzz', 'config.json')} (found in the user config directory)\n  x  provider=mbuzz\n      format=csv\n`);
  });

  it('with no config, profiles says exactly where it looked', async () => {
    const t = layout();
    const r = await runCli(['profiles'], { cwd: t.work, env: { HOME: join(t.shared, 'nohome') } });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe(
      `no config file found; looked for package.json ("mbuzz" key), .mbuzzrc, .mbuzzrc.json, .mbuzzrc.yaml, .mbuzzrc.yml in ${t.work}, then config, config.json, config.yaml, config.yml in ${join(t.shared, 'nohome', '.config', 'mbuzz')} (or name one with --config FILE)\n`,
    );
  });

  it('profiles --json: each profile, the file it came from, the active one, secrets masked', async () => {
    const t = layout();
    const file = join(t.work, '.mbuzzrc.yaml');
    writeFileSync(
      file,
      `profile: prod\nprofiles:\n  prod:\n    base_url: https://ops:hunter2hunter2@mbuzz.example.invalid\n    api_key_env: MBUZZ_PROD_KEY\n    format: parquet\n  mp:\n    provider: mixpanel\n    api_key: ${LIVE_KEY}\n    api_secret_env: MP_SECRET\n    params:\n      event: signup\n`,
      { mode: 0o600 },
    );
    const r = await runCli(['profiles', '--json'], { cwd: t.work, env: { HOME: t.home, MBUZZ_PROD_KEY: TEST_KEY } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.toString()).not.toContain(TEST_KEY);
    expect(r.stdout.toString()).not.toContain(LIVE_KEY);
    expect(r.stdout.toString()).not.toContain('hunter2');
    expect(JSON.parse(r.stdout.toString())).toEqual({
      config: { file, found_by: 'project' },
      searched: expect.arrayContaining([file, t.userConfig]),
      active: { name: 'prod', source: 'file', defined: true },
      profiles: [
        {
          name: 'prod',
          file,
          active: true,
          provider: 'mbuzz',
          base_url: 'https://ops:****@mbuzz.example.invalid',
          secrets: { api_key: { source: 'env', variable: 'MBUZZ_PROD_KEY', set: true, masked: 'sk_test_…cdef' } },
          settings: { format: 'parquet' },
        },
        {
          name: 'mp',
          file,
          active: false,
          provider: 'mixpanel',
          base_url: null,
          secrets: {
            api_key: { source: 'inline', set: true, masked: 'sk_live_…3210' },
            api_secret: { source: 'env', variable: 'MP_SECRET', set: false, masked: null },
          },
          settings: { params: { event: 'signup' } },
        },
      ],
      warnings: [],
    });
  });
});
