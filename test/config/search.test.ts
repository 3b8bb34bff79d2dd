import { describe, expect, it } from 'vitest';
import { isCodeFile, planSearch, userConfigDir } from '../../src/config/search.js';

describe('planSearch', () => {
  const base = { cwd: '/work/proj', home: '/home/u', vars: {} };

  it('looks in the working directory and the user config directory only, never in parents, and at no code', () => {
    const plan = planSearch(base);
    expect(plan.candidates.map((c) => `${c.source} ${c.file}`)).toEqual([
      'project /work/proj/package.json',
      'project /work/proj/.mbuzzrc',
      'project /work/proj/.mbuzzrc.json',
      'project /work/proj/.mbuzzrc.yaml',
      'project /work/proj/.mbuzzrc.yml',
      'user /home/u/.config/mbuzz/config',
      'user /home/u/.config/mbuzz/config.json',
      'user /home/u/.config/mbuzz/config.yaml',
      'user /home/u/.config/mbuzz/config.yml',
    ]);
    expect(plan.candidates.some((c) => c.file.startsWith('/work/') && !c.file.startsWith('/work/proj/'))).toBe(false);
    expect(plan.candidates.some((c) => isCodeFile(c.file))).toBe(false);
    expect(plan.code).toContain('/work/proj/.mbuzzrc.js');
    expect(plan.code).toContain('/work/proj/mbuzz.config.mjs');
    expect(plan.code).toContain('/home/u/.config/mbuzz/config.cjs');
  });

  it('honours an absolute XDG_CONFIG_HOME and ignores a relative one, as the XDG spec says', () => {
    expect(userConfigDir('/home/u', { XDG_CONFIG_HOME: '/xdg' })).toBe('/xdg/mbuzz');
    expect(userConfigDir('/home/u', { XDG_CONFIG_HOME: 'xdg' })).toBe('/home/u/.config/mbuzz');
    expect(userConfigDir('/home/u', { XDG_CONFIG_HOME: '' })).toBe('/home/u/.config/mbuzz');
    expect(planSearch({ ...base, vars: { XDG_CONFIG_HOME: '/xdg' } }).candidates.at(-1)?.file).toBe('/xdg/mbuzz/config.yml');
  });

  it('a named file replaces the search: --config over MBUZZ_CONFIG, relative to the working directory', () => {
    expect(planSearch({ ...base, vars: { MBUZZ_CONFIG: 'env.yaml' } })).toEqual({ candidates: [{ file: '/work/proj/env.yaml', source: 'MBUZZ_CONFIG' }], code: [] });
    expect(planSearch({ ...base, vars: { MBUZZ_CONFIG: 'env.yaml' }, flag: '/etc/m.mjs' })).toEqual({ candidates: [{ file: '/etc/m.mjs', source: '--config' }], code: [] });
    expect(planSearch({ ...base, vars: { MBUZZ_CONFIG: '  ' } }).candidates).toHaveLength(9);
  });
});

describe('isCodeFile', () => {
  it.each(['a.js', 'a.cjs', 'a.mjs', 'a.ts', 'a.MJS', 'mbuzz.config.cts'])('%s is code', (f) => expect(isCodeFile(f)).toBe(true));
  it.each(['a.json', 'a.yaml', '.mbuzzrc', 'a.jsonl', 'js'])('%s is data', (f) => expect(isCodeFile(f)).toBe(false));
});
