import path from 'node:path';

// Where a config file may come from. Two directories only: the project (the working directory,
// never its parents: a file planted in /tmp or a shared parent must not steer the key) and the
// user's own config directory. JavaScript runs only from a file the user names.

/** Data files in the project directory, first found wins. `package.json` counts only with an `mbuzz` key. */
export const PROJECT_FILES = ['package.json', '.mbuzzrc', '.mbuzzrc.json', '.mbuzzrc.yaml', '.mbuzzrc.yml'] as const;
/** Data files in the user's config directory ($XDG_CONFIG_HOME/mbuzz or ~/.config/mbuzz). */
export const USER_FILES = ['config', 'config.json', 'config.yaml', 'config.yml'] as const;
/** Code that older versions (cosmiconfig) ran when found; now only noticed, and loaded only when named. */
const PROJECT_CODE = ['.mbuzzrc.js', '.mbuzzrc.cjs', '.mbuzzrc.mjs', '.mbuzzrc.ts', 'mbuzz.config.js', 'mbuzz.config.cjs', 'mbuzz.config.mjs', 'mbuzz.config.ts'];
const USER_CODE = ['config.js', 'config.cjs', 'config.mjs', 'config.ts'];

export type ConfigSource = '--config' | 'MBUZZ_CONFIG' | 'project' | 'user';

export interface Candidate {
  file: string;
  source: ConfigSource;
}

export interface SearchPlan {
  /** Files to try in order; the first that exists is the config. */
  candidates: Candidate[];
  /** JavaScript files that are noticed (and named in a warning) but never run from a search. */
  code: string[];
}

export interface SearchInput {
  cwd: string;
  home: string;
  vars: Readonly<Record<string, string | undefined>>;
  /** --config FILE. */
  flag?: string;
}

/** The user's mbuzz config directory: $XDG_CONFIG_HOME/mbuzz when that is absolute (as the XDG spec says), else ~/.config/mbuzz. */
export function userConfigDir(home: string, vars: SearchInput['vars']): string {
  const xdg = vars.XDG_CONFIG_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.config'), 'mbuzz');
}

/** Pure: what to look at, in order. A named file (flag over environment) replaces the search. */
export function planSearch(input: SearchInput): SearchPlan {
  const named = nonBlank(input.flag) ?? nonBlank(input.vars.MBUZZ_CONFIG);
  if (named !== undefined) {
    return { candidates: [{ file: path.resolve(input.cwd, named), source: nonBlank(input.flag) !== undefined ? '--config' : 'MBUZZ_CONFIG' }], code: [] };
  }
  const project = path.resolve(input.cwd);
  const user = userConfigDir(input.home, input.vars);
  const candidates: Candidate[] = [
    ...PROJECT_FILES.map((f) => ({ file: path.join(project, f), source: 'project' as const })),
    ...USER_FILES.map((f) => ({ file: path.join(user, f), source: 'user' as const })),
  ];
  return { candidates, code: [...PROJECT_CODE.map((f) => path.join(project, f)), ...USER_CODE.map((f) => path.join(user, f))] };
}

/** Files whose contents are code: loaded only when named, and only after the ownership check. */
export function isCodeFile(file: string): boolean {
  return /\.(?:[cm]?js|[cm]?ts)$/i.test(file);
}

function nonBlank(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}
