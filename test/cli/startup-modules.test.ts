import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../e2e/harness.js';

// A command loads only what it runs: the module graph of the real binary (after `npm run build`),
// read from inside the process. An ESM load hook lists every ES module as it loads, and at exit
// the CommonJS cache lists the packages loaded that way (undici, commander). No timing here: the
// start-up figures are in `npm run bench` (docs/benchmarks.md).

const dir = mkdtempSync(join(tmpdir(), 'mbuzz-modules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hooks = join(dir, 'hooks.mjs');
writeFileSync(
  hooks,
  `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.MBUZZ_TEST_MODULES, url + '\\n');
  return next(url, context);
}
`,
);
const preload = join(dir, 'preload.mjs');
writeFileSync(
  preload,
  `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
register(${JSON.stringify(pathToFileURL(hooks).href)});
const require = createRequire(import.meta.url);
process.on('exit', () => appendFileSync(process.env.MBUZZ_TEST_MODULES, Object.keys(require.cache).join('\\n') + '\\n'));
`,
);

/** Every module `mbuzz <args>` loaded, as paths relative to the project (node: built-ins dropped). */
function modulesOf(args: string[], status = 0): string[] {
  const list = join(dir, `${args.join('_').replace(/\W/g, '-')}.txt`);
  writeFileSync(list, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', MBUZZ_TEST_MODULES: list },
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(status);
  return [
    ...new Set(
      readFileSync(list, 'utf8')
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('node:'))
        .map((l) => l.replace(/^file:\/\//, '').replace(/^.*?\/(dist|node_modules|bin)\//, '$1/')),
    ),
  ];
}

// What no start-up may load: the HTTP stack, the sandbox (two constant lists its help names
// excepted), the pipeline, destinations, writers, config files, the paginators and every
// provider's reader (run.ts and what it imports: the API calls, the plan).
const NEVER = [
  /^node_modules\/(undici|ora|yaml|hyparquet-writer|hyparquet|pg|pg-copy-streams|@aws-sdk|@smithy)\//,
  /^dist\/sandbox\/(?!fault-kinds\.js$|broken-modes\.js$)/,
  /^dist\/(pipeline|destinations|writers|config|paginate)\//,
  /^dist\/http\/client\.js$/,
  /^dist\/providers\/[^/]+\/(run|legacy-run|export|api|plan)\.js$/,
];
const forbidden = (mods: string[]) => mods.filter((m) => NEVER.some((re) => re.test(m)));

describe('start-up loads only what the command runs', () => {
  it('--version loads no provider at all, and none of the never-list', () => {
    const mods = modulesOf(['--version']);
    // the listing works: it sees the entry point, commander (CommonJS) and the version module
    expect(mods).toEqual(expect.arrayContaining(['bin/mbuzz.js', 'dist/cli/main.js', 'dist/core/version.js']));
    expect(mods.some((m) => m.startsWith('node_modules/commander/'))).toBe(true);
    expect(forbidden(mods)).toEqual([]);
    expect(mods.filter((m) => m.startsWith('dist/providers/'))).toEqual([]);
  });

  for (const args of [['--help'], ['export', '--help'], ['datasets'], ['completion', 'bash'], ['schema', 'conversions']]) {
    it(`${args.join(' ')} reads the providers' descriptions but loads none of their readers`, () => {
      const mods = modulesOf(args);
      expect(forbidden(mods)).toEqual([]);
      if (args[0] !== '--help') expect(mods).toContain('dist/providers/mbuzz/datasets.js');
    });
  }

  it('an export does load what the never-list names (so the list would see it)', () => {
    // a host under .invalid never resolves: one attempt, exit 5, after the readers and undici loaded
    const mods = modulesOf(['export', 'conversions', '--from', '2026-05-01', '--to', '2026-05-01', '--base-url', 'https://mbuzz.invalid', '--api-key', 'sk_test_0123456789abcdef0123456789abcdef', '--retries', '0', '-q'], 5);
    expect(forbidden(mods)).toEqual(expect.arrayContaining(['node_modules/undici/index.js', 'dist/providers/mbuzz/run.js', 'dist/providers/mbuzz/plan.js', 'dist/http/client.js']));
    // no terminal, so no spinner: ora and chalk stay unloaded
    expect(mods.filter((m) => /^node_modules\/(ora|chalk)\//.test(m))).toEqual([]);
  });
});
